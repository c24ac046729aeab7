# hack/demo's live part: one line per transition while the operator
# rightsizes the desk, the "market open" surge on the trading engine's last
# canary, and the closing report and checks. Source it; do not execute.
# shellcheck shell=bash

# Every transition in the Rightsizings' status history, oldest first, as
# "workload<TAB>time<TAB>from<TAB>to<TAB>reason<TAB>sizes" (no field empty:
# read collapses adjacent tabs), the sizes being the
# workload's now: "cpu 1→500m, memory 2662Mi" (current→step during a step).
# A Rightsizing without history yet is one line "workload<TAB>-<TAB>new<TAB>phase".
rsz_transitions() {
  jq -r '
    def sizes: (.status.containers // [])[0] as $c |
      ($c.current.requests // {}) as $cur | ($c.step.requests // null) as $step |
      def one($r): ($cur[$r] // "?") +
        (if $step != null and ($step[$r] // "") != "" and $step[$r] != $cur[$r]
         then "→" + $step[$r] else "" end);
      "cpu \(one("cpu")), memory \(one("memory"))";
    [.items[] | .spec.targetRef.name as $w | sizes as $s |
      if ((.status.history // []) | length) == 0
      then [$w, "-", "new", (.status.phase // "-"), "created", $s]
      else (.status.history[] | [$w, .time, .from, .to,
        (if (.reason // "") == "" then "-" else .reason end), $s]) end]
    | sort_by(.[1]) | .[] | @tsv' <<<"$1"
}

# The desk is done when all six are Rightsized and every rollback's cooldown
# has run out with a step taken after it (the retry), so the sizes are final.
desk_done() {
  jq -e '(.items | length) == 6 and all(.items[];
    .status.phase == "Rightsized" and
    ((.status.lastRollback.until // "") as $u |
      $u == "" or ((.status.history // []) | last | .time // "") > $u))' <<<"$1" >/dev/null
}

# "Market open": when the trading engine's canary runs at its recommended
# (last) size, twice the demand on that canary pod. The stable pod keeps its
# demand, so the operator's learning (canary pods are learnt apart) and the
# recommendation do not move; the canary at half the stable size is starved,
# and the SLO gate compares it with the stable pod.
maybe_surge() {
  [ "$SURGED" = 0 ] || return 0
  local rsz=$1 phase recommended pods
  read -r phase recommended < <(jq -r '.items[] | select(.spec.targetRef.name == "trading-engine") |
    "\(.status.phase // "-") \(.status.containers[0].recommended.requests.cpu // "-")"' <<<"$rsz") ||
    return 0
  [ "$phase" = Canary ] || return 0
  pods=$(kubectl -n "$DEMO_NS" get pods -l app=trading-engine,rightsizer.io/canary=true -o json |
    jq -r --arg cpu "$recommended" '.items[] | select(.status.phase == "Running" and
      .metadata.deletionTimestamp == null and
      .spec.containers[0].resources.requests.cpu == $cpu) | .metadata.name') ||
    return 0  # the API busy for a moment: look again at the next poll
  [ -n "$pods" ] || return 0
  step "MARKET OPEN: a surge of orders on the trading-engine canary pod ($recommended CPU): demand 285m → 570m (the stable pod, and so the operator's learning, untouched)"
  local pod
  for pod in $pods; do
    kubectl -n "$DEMO_NS" annotate pod "$pod" --overwrite \
      "sim.rightsizer.io/profile=$(demo_surge_profile)" >/dev/null
  done
  SURGED=1
}

# Rollback events, each printed once with the SLO gate's reason.
print_rollbacks() {
  local uid name msg
  while IFS=$'\t' read -r uid name msg; do
    [ -n "$uid" ] || continue
    [[ " $SEEN_EVENTS " == *" $uid "* ]] && continue
    SEEN_EVENTS+=" $uid"
    [ "$name" != trading-engine ] || ENGINE_ROLLBACKS=$((ENGINE_ROLLBACKS + 1))
    printf '\033[1;31m    ROLLBACK\033[0m %s: %s\n' "$name" "$msg" >&2
  done < <(kubectl -n "$DEMO_NS" get events --field-selector reason=RightsizeRolledBack -o json |
    jq -r '.items[] | select(.involvedObject.kind == "Deployment") |
      [.metadata.uid, .involvedObject.name, .message] | @tsv')
}

follow_progress() {
  local timeout=${RIGHTSIZER_DEMO_TIMEOUT:-$([ "$FAST" = 1 ] && echo 420 || echo 900)}
  local deadline=$((SECONDS + timeout)) rsz key name at from to why sizes quiet_since=$SECONDS
  declare -A seen=()
  SURGED=0 SEEN_EVENTS="" ENGINE_ROLLBACKS=0
  step "following the Rightsizings (kubectl get rsz -n $DEMO_NS): one line per transition: workload, from → to, why, its size now (current→step)"
  while :; do
    ours_running operator || { tail -n 20 "$DEMO_DIR/operator.log" >&2; die "the operator exited"; }
    rsz=$(kubectl -n "$DEMO_NS" get rightsizings.rightsizer.io -o json 2>/dev/null) || rsz='{"items":[]}'
    while IFS=$'\t' read -r name at from to why sizes; do
      [ -n "$name" ] || continue
      key="$name|$at|$from|$to|$why"
      [ -z "${seen[$key]:-}" ] || continue
      seen[$key]=1
      printf '    [%s] %-19s %-10s → %-10s %-34s %s\n' "$(elapsed)" "$name" "$from" "$to" \
        "${why:-}" "$sizes" >&2
      quiet_since=$SECONDS
    done < <(rsz_transitions "$rsz")
    if [ $((SECONDS - quiet_since)) -ge 30 ]; then
      # Never a silent terminal: where the desk stands.
      printf '    [%s] waiting: %s\n' "$(elapsed)" "$(jq -r '[.items[].status.phase // "-"] |
        group_by(.) | map("\(length) \(.[0])") | join(", ")' <<<"$rsz")" >&2
      quiet_since=$SECONDS
    fi
    maybe_surge "$rsz"
    print_rollbacks
    if desk_done "$rsz"; then
      # Events are written after the status: one more look before giving up.
      [ "$ENGINE_ROLLBACKS" -gt 0 ] || { sleep 5; print_rollbacks; }
      [ "$ENGINE_ROLLBACKS" -gt 0 ] && break
      die "the desk was rightsized without an SLO rollback on the trading engine (the surge did not land in its last canary)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      kubectl -n "$DEMO_NS" get rightsizings.rightsizer.io >&2 || true
      die "the desk was not rightsized within ${timeout}s (above: where each workload stands; operator log: $DEMO_DIR/operator.log)"
    fi
    sleep 2
  done
  step "all six components Rightsized, $((SECONDS - DEMO_STORY_START)) s after the operator started"
}

# prom_value QUERY: the instant query's first value ("" when none).
prom_value() {
  curl -sf --max-time 5 "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[0].value[1] // ""'
}

# check_below WHAT QUERY BOUND SCALE UNIT: the Prometheus value of QUERY is
# below BOUND (seconds); shown × SCALE in UNIT. No data is a failure.
check_below() {
  local what=$1 query=$2 bound=$3 scale=$4 unit=$5 value
  value=$(prom_value "$query") || value=""
  if awk -v v="$value" -v b="$bound" 'BEGIN{exit !(v != "" && v < b)}'; then
    log "check: $what $(awk -v v="$value" -v s="$scale" 'BEGIN{printf "%.1f", v * s}') $unit" \
      "(< $(awk -v b="$bound" -v s="$scale" 'BEGIN{printf "%g", b * s}') $unit) — ok"
    return 0
  fi
  warn "check FAILED: $what '${value:-no data}' s, not < $bound s"
  return 1
}

# operator_figures: peak RSS (VmHWM) and CPU seconds of the operator so far.
operator_figures() {
  local pid hwm ticks
  pid=$(cat "$DEMO_DIR/operator.pid" 2>/dev/null) || pid=""
  if [ -z "$pid" ] || [ ! -r "/proc/$pid/status" ]; then
    echo "the operator is not running (its log: $DEMO_DIR/operator.log)"
    return 0
  fi
  hwm=$(awk '/^VmHWM:/ {print $2 " " $3}' "/proc/$pid/status")
  # utime and stime: fields 14 and 15, counted after the ")" ending the name.
  ticks=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
  echo "peak RSS $hwm, $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t / hz}') CPU-seconds"
}

within() {  # within VALUE EXPECTED TOLERANCE
  awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN{d = v - e; if (d < 0) d = -d; exit !(v != "" && d <= t)}'
}

finish() {
  local report_args=(report -n "$DEMO_NS" --kubeconfig "$KUBECONFIG") failed=0 json html
  step "the FinOps report (rightsizer report -n $DEMO_NS)"
  "$RIGHTSIZER" "${report_args[@]}"
  html=$DEMO_DIR/finops-report.html
  "$RIGHTSIZER" "${report_args[@]}" -o html --output "$html"
  log "HTML report: $html"
  json=$("$RIGHTSIZER" "${report_args[@]}" -o json) || die "rightsizer report -o json failed"
  local current running target
  current=$(jq -r '.totals.monthly.current' <<<"$json")
  running=$(jq -r '.totals.monthly.running' <<<"$json")
  target=$(jq -r '.totals.monthly.target' <<<"$json")
  if within "$current" 285.95 0.50 && within "$running" 79.05 0.50 && within "$target" 79.05 0.50; then
    log "check: \$$current → \$$running a month (the analysis: \$285.95 → \$79.05 ± \$0.50) — ok"
  else
    warn "check FAILED: \$$current → \$$running (target \$$target) a month; expected \$285.95 → \$79.05 ± \$0.50"
    failed=1
  fi
  check_below "p99 trade latency over the last minute" \
    "histogram_quantile(0.99, sum by (le) (rate(trade_latency_seconds_bucket{namespace=\"$DEMO_NS\"}[1m])))" \
    0.100 1000 ms || failed=1
  check_below "guardian scan" \
    "max(guardian_scan_duration_seconds{namespace=\"$DEMO_NS\",pod=~\"guardian-.*\"})" \
    30 1 s || failed=1
  log "the operator so far: $(operator_figures)"
  log "wall time: $(elapsed) in all, $((SECONDS - DEMO_STORY_START)) s from the operator's start to the report"
  cat >&2 <<EOF

The cluster, the simulator and the operator keep running. To look:
  eval "\$(RIGHTSIZER_CLUSTER_DIR=$CLUSTER_DIR $ROOT/hack/cluster env)"   # kubectl and KUBECONFIG=$KUBECONFIG
  kubectl get rsp,rsz -n $DEMO_NS
  kubectl describe rsz -n $DEMO_NS deployment-trading-engine   # Last Rollback: check, observed, threshold, baseline
  kubectl get events -n $DEMO_NS --field-selector reason=RightsizeRolledBack
  $RIGHTSIZER report -n $DEMO_NS --kubeconfig \$KUBECONFIG
  the HTML report, in a browser: $html
  the operator's log: $DEMO_DIR/operator.log
To stop everything: RIGHTSIZER_CLUSTER_DIR=$CLUSTER_DIR $ROOT/hack/demo down
EOF
  [ "$failed" = 0 ] || die "the demo's closing checks failed (above)"
  log "demo done"
}
