# The demo's trading desk (hack/demo): the six components of the analysis
# that started Rightsizer, as Deployments the trading simulator (tests/sim)
# drives. Source it; do not execute.
# shellcheck shell=bash

DEMO_NS=trading

# name cpu memory policy cores memoryBytes: the seed's sizes (16 cores and
# 15684Mi, "15.3 GB", $285.95 a month) and a real demand of 1.177 cores and
# 13394Mi in use (85 %). The demands sit inside their usage-histogram
# buckets so that the recommendations land on the analysis's sizes
# (policies/examples/demo.yaml says how).
DEMO_DESK=(
  "trading-engine 4 2884Mi trading-engine 0.285 $((2229 << 20))"
  "market-data 4 2560Mi desk 0.280 $((2233 << 20))"
  "news-processor 2 2560Mi desk 0.183 $((2233 << 20))"
  "sentiment-analyzer 2 2560Mi desk 0.175 $((2233 << 20))"
  "guardian 2 2560Mi desk 0.154 $((2233 << 20))"
  "order-router 2 2560Mi desk 0.100 $((2233 << 20))"
)

# demo_profile CORES MEMORY_BYTES: the simulator's demand annotation.
demo_profile() {
  printf '{"cores": %s, "noise": 0.01, "memoryBytes": %s}' "$1" "$2"
}

# demo_deployment NAME CPU MEMORY POLICY CORES MEMORY_BYTES: one component,
# one replica, requests only (the simulator allots the request).
demo_deployment() {
  local name=$1 cpu=$2 memory=$3 policy=$4 cores=$5 bytes=$6
  cat <<EOF
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $name
  namespace: $DEMO_NS
  annotations:
    rightsizer.io/policy: $policy
spec:
  replicas: 1
  selector: {matchLabels: {app: $name}}
  template:
    metadata:
      labels: {app: $name, sim.rightsizer.io/simulate: "true"}
      annotations:
        sim.rightsizer.io/profile: '$(demo_profile "$cores" "$bytes")'
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: app
        image: trading:1
        resources:
          requests: {cpu: "$cpu", memory: "$memory"}
EOF
}

demo_desk_yaml() {
  local line
  for line in "${DEMO_DESK[@]}"; do
    # shellcheck disable=SC2086  # one line = six fields
    demo_deployment $line
  done
}

# The trading engine's demand and its "market open" surge (twice the
# demand: 570m on a 500m canary is CFS throttling, p99 in the hundreds of ms).
demo_engine_profile() { demo_profile 0.285 $((2229 << 20)); }
demo_surge_profile() { demo_profile 0.570 $((2229 << 20)); }

# The policy overrides of --fast (a merge patch per policy).
DEMO_FAST_PATCH='{"spec": {"history": {"minObservation": "1m"},
  "rollout": {"analysisInterval": "5s", "successfulChecks": 3, "failureThreshold": 2,
              "postPromotionChecks": 1, "cooldown": "45s"}}}'
