// Auto mode through the reconciler: the RolloutDriver with fake caches, a
// scripted API (FakeTransport), a fake Prometheus and a fake actuator that
// records its calls in the same log as the API requests, so that the order
// of the status write and the mutation is observable.
#include "controller/rollout_driver.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "controller/reconciler.h"
#include "controller/status_bounds.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "policies/rightsizing_status.h"
#include "policies/usage_checkpoint.h"
#include "tests/unit/controller/fake_cluster_view.h"
#include "tests/unit/controller/reconciler_fixtures.h"

namespace controller {
namespace {

using nlohmann::json;
using namespace controller::testing;
using k8s::Method;
using policies::ActionKind;
using policies::RightsizingPhase;

constexpr const char* kObject =
    "/apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizings/deployment-engine";
constexpr const char* kStatus =
    "/apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizings/deployment-engine/status";

using Log = std::vector<std::string>;

class FakeActuator final : public Actuator {
 public:
  explicit FakeActuator(Log& log) : log_(log) {}
  policies::StageObservation observe(const ClusterView&, const StageContext& stage) const override {
    observed.push_back(stage);
    return observation;
  }
  bool canary_exists(const ClusterView&, const Workload&) const override { return canary; }
  k8s::Result<int> execute(const policies::RolloutAction& action, const StageContext& stage,
                           const k8s::CallContext&) override {
    log_.push_back(std::string("execute ") + policies::to_string(action.kind));
    executed.push_back(action);
    contexts.push_back(stage);
    return writes;
  }

  policies::StageObservation observation;
  bool canary = false;
  int writes = 1;  // 0: the call found nothing to change (a canary gone already)
  std::vector<policies::RolloutAction> executed;
  std::vector<StageContext> contexts;
  mutable std::vector<StageContext> observed;

 private:
  Log& log_;
};

class FakePrometheus final : public PrometheusQuerier {
 public:
  PromResult<QueryResult> query(std::string_view promql,
                                std::chrono::system_clock::time_point) override {
    queries.emplace_back(promql);
    const bool baseline = promql.find("stable") != std::string_view::npos;
    QueryResult r;
    r.samples.push_back({{}, baseline ? baseline_value : canary_value});
    return r;
  }
  double canary_value = 0.1, baseline_value = 0.1;
  std::vector<std::string> queries;
};

k8s::Result<k8s::HttpResponse> answer(int status, const json& body) {
  return k8s::HttpResponse{status, {}, body.dump()};
}

json status_error(int code, const char* reason) {
  return {{"kind", "Status"}, {"status", "Failure"}, {"reason", reason}, {"code", code}};
}

class RolloutDriverTest : public ::testing::Test {
 protected:
  RolloutDriverTest() {
    transport_->set_handler([this](const k8s::Request& r) -> k8s::Result<k8s::HttpResponse> {
      log_.push_back(std::string(k8s::to_string(r.method)) + " " + r.path);
      if (r.method == Method::Put && put_code_ != 200)
        return answer(put_code_, status_error(put_code_, "Conflict"));
      if (r.method == Method::Put || r.method == Method::Patch)
        return answer(200, json::parse(r.body));
      if (r.method == Method::Delete) return answer(200, status_error(200, ""));
      if (r.method == Method::Post && r.path.ends_with("/rightsizings")) {
        auto created = json::parse(r.body);
        created["metadata"]["resourceVersion"] = "1";
        return answer(201, created);
      }
      return answer(404, status_error(404, "NotFound"));
    });
    view_.put(engine());
    auto policy = trading_policy();
    auto& spec = policy.parsed.spec;
    spec.rollout.failure_threshold = 1;
    spec.slos.checks.push_back({"latency", "latency{pods=~\"{{pods}}\"}", std::nullopt, 0.25});
    view_.put(policy);
    view_.put(rightsizing({}));
    for (int i = 120; i > 0; --i) {
      usage_.add_sample({engine().ref, "engine"}, false, now() - std::chrono::minutes(i), 300,
                        200 * kMi, std::chrono::hours(24));
    }
  }
  static k8s::ClientOptions client_options() {
    k8s::ClientOptions o;
    o.qps = 0;
    o.max_attempts = 1;
    return o;
  }
  Reconciler& reconciler() {
    if (!reconciler_) {
      auto sink = [this](const k8s::InvolvedObject&, k8s::EventType t, const std::string& reason,
                         const std::string& message) {
        events_.push_back({t == k8s::EventType::Warning ? "Warning" : "Normal", reason, message});
      };
      Actuators actuators{std::make_unique<FakeActuator>(log_),
                          std::make_unique<FakeActuator>(log_)};
      actuator_ = static_cast<FakeActuator*>(actuators.deployment.get());
      sts_actuator_ = static_cast<FakeActuator*>(actuators.stateful_set.get());
      auto factory = [this](const policies::PrometheusEndpoint& e)
          -> PromResult<std::shared_ptr<PrometheusQuerier>> {
        endpoints_.push_back(e.address);
        return std::shared_ptr<PrometheusQuerier>(prometheus_);
      };
      RolloutMetrics metrics{[this](std::string_view r) { canaries_.emplace_back(r); },
                             [this](std::string_view r) { checks_.emplace_back(r); }};
      driver_ = std::make_unique<RolloutDriver>(view_, client_, factory, std::move(actuators), sink,
                                                clock_, metrics);
      reconciler_ = std::make_unique<Reconciler>(view_, usage_, client_, sink, clock_);
      reconciler_->enable_auto_mode(*driver_);
    }
    return *reconciler_;
  }
  FakeActuator& actuator() {
    reconciler();
    return *actuator_;
  }
  ReconcileOutcome reconcile() {
    log_.clear();
    return reconciler().reconcile_workload(engine().ref, {});
  }
  policies::Time now() const { return std::chrono::floor<std::chrono::seconds>(clock_.wall_now()); }

  static RightsizingObject rightsizing(const json& status, std::string rv = "42") {
    RightsizingObject r;
    r.namespace_name = "trading";
    r.name = "deployment-engine";
    r.uid = "uid-rsz";
    r.resource_version = std::move(rv);
    r.owners = {{"apps/v1", "Deployment", "engine", "uid-engine", true}};
    r.policy_label = "trading";
    r.policy_ref = "trading";
    r.target = engine().ref;
    auto parsed = policies::rightsizing_status_from_json(status);
    EXPECT_TRUE(parsed) << parsed.error();
    if (parsed) r.status = *parsed;
    return r;
  }
  // The status body of the last PUT to /status.
  std::optional<json> last_put() const {
    const auto all = transport_->requests();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->request.method == Method::Put && it->request.path == kStatus)
        return json::parse(it->request.body).at("status");
    }
    return std::nullopt;
  }
  // The cache now holds what the last reconcile wrote.
  void cache_written(std::optional<std::string> action = std::nullopt) {
    auto put = last_put();
    ASSERT_TRUE(put);
    auto r = rightsizing(*put);
    r.action = std::move(action);
    view_.put(r);
  }
  // Reconciles into a canary whose pods are Ready with the step.
  void into_effective_canary() {
    ASSERT_FALSE(reconcile().error);
    cache_written();
    actuator().observation = {true, true, {"engine-canary-1"}, {"engine-a", "engine-b"}, ""};
    actuator().canary = true;
    ASSERT_FALSE(reconcile().error);
    cache_written();
  }
  const policies::Condition* condition(const json& status, const std::string& type) {
    static policies::RightsizingStatus parsed;
    parsed = *policies::rightsizing_status_from_json(status);
    return policies::find_condition(parsed.conditions, type);
  }
  bool has_event(const std::string& reason) const {
    return std::ranges::any_of(events_, [&](const auto& e) { return e[1] == reason; });
  }
  const std::vector<std::string>& event(const std::string& reason) const {
    static const std::vector<std::string> none{"", "", ""};
    auto it = std::ranges::find_if(events_, [&](const auto& e) { return e[1] == reason; });
    return it == events_.end() ? none : *it;
  }

  FakeClusterView view_;
  UsageStore usage_;
  std::shared_ptr<k8s::testing::FakeTransport> transport_ =
      std::make_shared<k8s::testing::FakeTransport>();
  k8s::testing::FakeClock clock_;
  k8s::testing::FixedRandom random_;
  k8s::ApiClient client_{transport_, nullptr, clock_, random_, client_options()};
  std::shared_ptr<FakePrometheus> prometheus_ = std::make_shared<FakePrometheus>();
  int put_code_ = 200;
  Log log_;
  std::vector<std::vector<std::string>> events_;  // type, reason, message
  std::vector<std::string> endpoints_, canaries_, checks_;
  std::unique_ptr<RolloutDriver> driver_;
  std::unique_ptr<Reconciler> reconciler_;
  FakeActuator* actuator_ = nullptr;
  FakeActuator* sts_actuator_ = nullptr;
};

TEST_F(RolloutDriverTest, TheStatusIsWrittenBeforeTheCanaryStarts) {
  const auto out = reconcile();
  ASSERT_FALSE(out.error) << out.error->describe();
  ASSERT_EQ(log_, (Log{std::string("PUT ") + kStatus, "execute StartCanary"}));
  EXPECT_EQ(out.writes, 2);
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "Canary");
  const auto& c = put["containers"][0];
  EXPECT_EQ(c["step"]["requests"]["cpu"], "8");  // 16 → 8: one maxStepDown
  EXPECT_EQ(c["lastGood"]["requests"]["cpu"], "16");
  EXPECT_EQ(c["original"]["requests"]["cpu"], "16");
  EXPECT_EQ(put["history"].back()["to"], "Canary");
  const auto& action = actuator().executed.at(0);
  EXPECT_EQ(action.sizes.at("engine").requests.cpu_millicores, 8'000);
  EXPECT_EQ(put["canary"]["step"], action.hash);
  EXPECT_EQ(actuator().contexts.at(0).rightsizing->uid, "uid-rsz");
  EXPECT_TRUE(has_event("RightsizeCanaryStarted"));
  // The recommendation is not announced as such while a canary runs.
  EXPECT_FALSE(has_event("RightsizeRecommended"));
  EXPECT_EQ(canaries_, (std::vector<std::string>{"started"}));
  // The rollout asks to look again before the resync.
  ASSERT_TRUE(out.requeue_after);
  EXPECT_LT(*out.requeue_after, ReconcilerOptions{}.resync);
}

TEST_F(RolloutDriverTest, AFailedOrConflictingStatusWriteMutatesNothing) {
  for (int code : {409, 500}) {
    put_code_ = code;
    const auto out = reconcile();
    ASSERT_TRUE(out.error) << code;
    EXPECT_EQ(log_, (Log{std::string("PUT ") + kStatus})) << code;
    EXPECT_TRUE(actuator().executed.empty()) << code;
    EXPECT_TRUE(events_.empty()) << code;
  }
}

TEST_F(RolloutDriverTest, RecommendModeNeverMutatesTheWorkload) {
  auto policy = trading_policy();
  policy.parsed.spec.mode = policies::Mode::Recommend;
  view_.put(policy);
  const auto out = reconcile();
  ASSERT_FALSE(out.error);
  EXPECT_TRUE(actuator().executed.empty());
  EXPECT_EQ((*last_put())["phase"], "Recommended");
  EXPECT_FALSE((*last_put()).contains("canary"));
}

TEST_F(RolloutDriverTest, ABreachOnTheCanaryRollsBackWithAnEventNamingTheCheckAndValues) {
  into_effective_canary();
  prometheus_->canary_value = 0.9;
  clock_.advance(std::chrono::minutes(1));
  const auto out = reconcile();
  ASSERT_FALSE(out.error) << out.error->describe();
  ASSERT_EQ(log_, (Log{std::string("PUT ") + kStatus, "execute AbortCanary"}));
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "RolledBack");
  EXPECT_EQ(put["lastRollback"]["check"], "latency");
  EXPECT_EQ(put["lastRollback"]["observed"], "0.9");
  EXPECT_EQ(put["lastRollback"]["threshold"], "max 0.25");
  EXPECT_EQ(put["containers"][0]["floor"]["cpu"], "8");
  // The canary's pods were analysed by name, the stable ones as baseline.
  ASSERT_FALSE(prometheus_->queries.empty());
  EXPECT_NE(prometheus_->queries[0].find("engine-canary-1"), std::string::npos);
  EXPECT_EQ(endpoints_, (std::vector<std::string>{"http://prometheus.monitoring:9090"}));
  const auto& e = event("RightsizeRolledBack");
  EXPECT_EQ(e[0], "Warning");
  EXPECT_NE(e[2].find("latency"), std::string::npos) << e[2];
  EXPECT_NE(e[2].find("0.9"), std::string::npos) << e[2];
  EXPECT_NE(e[2].find("0.25"), std::string::npos) << e[2];
  EXPECT_EQ(checks_, (std::vector<std::string>{"fail"}));
  EXPECT_EQ(canaries_, (std::vector<std::string>{"started", "rolled_back"}));
  // The rollback restores lastGood: the abort carries the workload's own size.
  EXPECT_EQ(actuator().executed.back().sizes.at("engine").requests.cpu_millicores, 16'000);
  // While RolledBack, the stage observed is lastGood's.
  cache_written();
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(actuator().observed.back().sizes.at("engine").requests.cpu_millicores, 16'000);
}

TEST_F(RolloutDriverTest, NoAnalysisBeforeItIsDueAndPassesCountTowardPromotion) {
  into_effective_canary();
  EXPECT_TRUE(prometheus_->queries.empty());
  clock_.advance(std::chrono::minutes(1));
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(log_, (Log{std::string("PUT ") + kStatus}));  // no mutation on a pass
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "Canary");
  EXPECT_EQ(put["canary"]["checksPassed"], 1);
  EXPECT_EQ(put["canary"]["lastChecks"][0]["result"], "Pass");
  EXPECT_EQ(checks_, (std::vector<std::string>{"pass"}));
  // The next analysis reuses the Prometheus client made for the policy's address.
  cache_written();
  clock_.advance(std::chrono::minutes(1));
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(checks_, (std::vector<std::string>{"pass", "pass"}));
  EXPECT_EQ(endpoints_.size(), 1u);
}

TEST_F(RolloutDriverTest, AnUnreachablePrometheusFailsTheAnalysis) {
  into_effective_canary();
  auto pods_ready = std::make_unique<FakeActuator>(log_);
  pods_ready->observation = actuator().observation;
  driver_ = std::make_unique<RolloutDriver>(
      view_, client_,
      [](const policies::PrometheusEndpoint&) -> PromResult<std::shared_ptr<PrometheusQuerier>> {
        return PromError{PromErrorKind::Config, "bad address", 0, ""};
      },
      Actuators{std::move(pods_ready), std::make_unique<FakeActuator>(log_)}, nullptr, clock_);
  reconciler_->enable_auto_mode(*driver_);
  clock_.advance(std::chrono::minutes(1));
  ASSERT_FALSE(reconcile().error);
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "RolledBack");
  EXPECT_EQ(put["lastRollback"]["check"], "prometheus");
  EXPECT_EQ(put["canary"]["lastChecks"][0]["result"], "Error");
}

struct BlockCase {
  std::string reason;
  std::string phase;  // with nothing in flight
  std::function<void(FakeClusterView&, PolicyObject&, UsageStore&)> setup;
};

class RolloutBlocks : public RolloutDriverTest, public ::testing::WithParamInterface<BlockCase> {};

TEST_P(RolloutBlocks, ABlockedWorkloadIsNotMutatedAndSaysWhy) {
  auto policy = trading_policy();
  policy.parsed.spec.slos = view_.policy("trading", "trading")->parsed.spec.slos;
  GetParam().setup(view_, policy, usage_);
  view_.put(policy);
  const auto out = reconcile();
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_TRUE(actuator().executed.empty());
  const auto put = *last_put();
  const auto* blocked = condition(put, "Blocked");
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(blocked->status, policies::ConditionStatus::True);
  EXPECT_EQ(blocked->reason, GetParam().reason);
  EXPECT_EQ(put["phase"], GetParam().phase);
  EXPECT_FALSE(put["containers"][0].contains("original"));  // no step started
  EXPECT_TRUE(has_event("RightsizeBlocked"));
}

Workload engine_with(const std::function<void(Workload&)>& change) {
  auto w = engine();
  change(w);
  return w;
}

// The engine at 4 replicas under a PodDisruptionBudget that allows no
// disruption (disruptionsAllowed 0: a node drain in progress); the caller
// puts the PDB.
PdbInfo pdb_at_zero_over_four_replicas(FakeClusterView& view) {
  view.put(engine_with([](Workload& w) {
    w.replicas = 4;
    w.template_labels = {{"app", "engine"}};
  }));
  PdbInfo pdb;
  pdb.namespace_name = "trading";
  pdb.name = "engine";
  pdb.has_selector = true;
  pdb.match_labels = {{"app", "engine"}};
  return pdb;
}

INSTANTIATE_TEST_SUITE_P(
    Reasons, RolloutBlocks,
    ::testing::Values(
        BlockCase{"Paused", "Paused",
                  [](FakeClusterView& v, PolicyObject&, UsageStore&) {
                    v.put(engine_with([](Workload& w) { w.paused = true; }));
                  }},
        BlockCase{"BlackoutWindow", "Waiting",
                  [](FakeClusterView&, PolicyObject& p, UsageStore&) {
                    // Two windows that together cover every minute of every day.
                    p.parsed.spec.rollout.blackout_windows = {
                        {policies::kAllWeekdays, std::chrono::minutes(0),
                         std::chrono::minutes(12 * 60), "UTC"},
                        {policies::kAllWeekdays, std::chrono::minutes(12 * 60),
                         std::chrono::minutes(0), "UTC"}};
                  }},
        BlockCase{"HPAConflict", "Recommended",
                  [](FakeClusterView& v, PolicyObject&, UsageStore&) {
                    v.put(hpa_on(engine().ref, "cpu"));
                  }},
        BlockCase{"ManagedByGitOps", "Recommended",
                  [](FakeClusterView& v, PolicyObject&, UsageStore&) {
                    v.put(engine_with([](Workload& w) { w.gitops_manager = "argocd-controller"; }));
                  }},
        BlockCase{"PDBViolation", "Recommended",
                  [](FakeClusterView& v, PolicyObject&, UsageStore&) {
                    v.put(pdb_at_zero_over_four_replicas(v));
                  }},
        BlockCase{"MetricsUnavailable", "Recommended",
                  [](FakeClusterView&, PolicyObject&, UsageStore& u) {
                    u.record_failure("trading", policies::Time(std::chrono::seconds(1'700'000'000)),
                                     "metrics.k8s.io: 503");
                  }}),
    [](const auto& info) { return info.param.reason; });

// An outage's error text varies from pass to pass (503, timeout): the
// status says the first and is not rewritten for each new text (the
// Blocked and Ready conditions used to carry it).
TEST_F(RolloutDriverTest, AMetricsOutageWhoseErrorTextVariesWritesTheStatusOnce) {
  const auto status_puts = [&] {
    return std::ranges::count_if(transport_->requests(), [](const auto& r) {
      return r.request.method == Method::Put && r.request.path == kStatus;
    });
  };
  usage_.record_failure("trading", now(), "metrics.k8s.io: 503");
  ASSERT_FALSE(reconcile().error);
  cache_written();
  ASSERT_EQ(status_puts(), 1);
  const auto* blocked = condition(*last_put(), "Blocked");
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(blocked->reason, "MetricsUnavailable");
  clock_.advance(std::chrono::seconds(15));
  usage_.record_failure("trading", now(), "metrics.k8s.io: context deadline exceeded");
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(status_puts(), 1) << last_put()->dump(2);
  EXPECT_TRUE(actuator().executed.empty());
}

// A rollout state that does not parse (the status edited by hand, or
// written by a newer operator): phase Failed, nothing acted on, one Warning
// after the write that records it. What does not parse is kept as stored
// (it used to be dropped, and the next reconcile acted from an idle state
// without lastGood); Ready and Blocked say why (they used to keep what they
// said before) and LAST-EVENT says Failed; the next reconcile writes
// nothing, and a refused write announces nothing. Corrected, the rollout
// goes on from the phase it stood in.
TEST_F(RolloutDriverTest, AnUnreadableRolloutStateFailsKeepsItAndResumesOnceCorrected) {
  const auto status_puts = [&] {
    return std::ranges::count_if(transport_->requests(), [](const auto& r) {
      return r.request.method == Method::Put && r.request.path == kStatus;
    });
  };
  const auto failed_events = [&] {
    return std::ranges::count_if(events_, [](const auto& e) { return e[1] == "RightsizeFailed"; });
  };
  into_effective_canary();
  const auto canary = *last_put();
  ASSERT_EQ(canary["phase"], "Canary");
  ASSERT_TRUE(canary["containers"][0].contains("step")) << canary.dump(2);
  auto edited = canary;
  edited["containers"][0]["step"]["requests"]["cpu"] = "lots";
  view_.put(rightsizing(edited));
  const auto executed = actuator().executed.size();
  const auto puts = status_puts();
  events_.clear();

  put_code_ = 409;
  EXPECT_TRUE(reconcile().error);
  EXPECT_EQ(status_puts(), puts + 1);
  EXPECT_EQ(failed_events(), 0) << "announced a write the server refused";

  put_code_ = 200;
  ASSERT_FALSE(reconcile().error);
  ASSERT_EQ(status_puts(), puts + 2);
  const auto failed = *last_put();
  EXPECT_EQ(failed["phase"], "Failed");
  EXPECT_EQ(failed["summary"].value("lastEvent", ""), "Failed") << failed.dump(2);
  EXPECT_EQ(failed["history"].back().value("from", ""), "Canary");
  EXPECT_EQ(failed["history"].back().value("reason", ""), "StatusUnreadable");
  EXPECT_EQ(failed["containers"][0]["step"], edited["containers"][0]["step"]);
  EXPECT_EQ(failed["containers"][0]["lastGood"], canary["containers"][0]["lastGood"]);
  EXPECT_EQ(failed["containers"][0]["original"], canary["containers"][0]["original"]);
  EXPECT_EQ(failed["canary"], canary["canary"]);
  for (const char* type : {"Ready", "Blocked"}) {
    const auto* c = condition(failed, type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_EQ(c->reason, "StatusUnreadable") << type;
    EXPECT_NE(c->message.find("step.requests.cpu"), std::string::npos) << c->message;
    EXPECT_EQ(c->status, std::string(type) == "Ready" ? policies::ConditionStatus::False
                                                      : policies::ConditionStatus::True);
  }
  EXPECT_EQ(failed_events(), 1);
  EXPECT_EQ(event("RightsizeFailed")[0], "Warning");

  cache_written();
  clock_.advance(std::chrono::seconds(15));
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(status_puts(), puts + 2) << last_put()->dump(2);
  EXPECT_EQ(failed_events(), 1);
  EXPECT_EQ(actuator().executed.size(), executed);

  // Corrected by hand: the canary goes on, nothing is ended or restored.
  auto corrected = failed;
  corrected["containers"][0]["step"] = canary["containers"][0]["step"];
  view_.put(rightsizing(corrected));
  ASSERT_FALSE(reconcile().error);
  const auto resumed = *last_put();
  EXPECT_EQ(resumed["phase"], "Canary") << resumed.dump(2);
  EXPECT_EQ(resumed["history"].back().value("from", ""), "Failed");
  EXPECT_EQ(resumed["history"].back().value("to", ""), "Canary");
  EXPECT_EQ(resumed["history"].back().value("reason", ""), "StatusCorrected");
  EXPECT_EQ(resumed["containers"][0]["lastGood"], canary["containers"][0]["lastGood"]);
  for (const char* type : {"Ready", "Blocked"}) {
    const auto* c = condition(resumed, type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_NE(c->reason, "StatusUnreadable") << type;
  }
  for (const auto& a : actuator().executed) {
    EXPECT_EQ(a.kind, ActionKind::StartCanary) << policies::to_string(a.kind);
  }
  EXPECT_EQ(canaries_, (std::vector<std::string>{"started"}));
}

// A stored rollout state the driver cannot act on is kept by the paths
// that write a status without it: the leader's last learning flush, and
// Recommend mode (a status built without it would drop step and lastGood).
// Corrected but not yet reconciled (still Failed), the flush keeps the step
// in flight too (read as idle, it was cleared).
TEST_F(RolloutDriverTest, WhatTheDriverCannotReadYetIsKeptByTheOtherStatusWriters) {
  into_effective_canary();
  const auto canary = *last_put();
  ASSERT_EQ(canary["phase"], "Canary");
  auto unreadable = canary;
  unreadable["containers"][0]["step"]["requests"]["cpu"] = "lots";
  auto corrected = canary;
  corrected["phase"] = "Failed";
  corrected["history"].push_back(
      {{"time", "2026-01-01T00:00:00Z"}, {"from", "Canary"}, {"to", "Failed"}});
  const auto keeps = [&](const json& stored, const char* what) {
    const auto put = last_put();
    ASSERT_TRUE(put) << what;
    EXPECT_EQ((*put)["phase"], stored["phase"]) << what;
    EXPECT_EQ((*put)["containers"][0]["step"], stored["containers"][0]["step"]) << what;
    EXPECT_EQ((*put)["containers"][0]["lastGood"], stored["containers"][0]["lastGood"]) << what;
    EXPECT_EQ((*put)["canary"], stored["canary"]) << what;
  };
  for (const auto* stored : {&unreadable, &corrected}) {
    usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi,
                      std::chrono::hours(24));  // learning to flush
    view_.put(rightsizing(*stored));
    const auto puts = transport_->requests().size();
    const auto out = reconciler().flush_learning({});
    EXPECT_FALSE(out.error);
    ASSERT_GT(transport_->requests().size(), puts) << "the flush wrote nothing";
    keeps(*stored, "flush");
    clock_.advance(std::chrono::seconds(1));
  }
  auto policy = trading_policy();
  policy.parsed.spec.mode = policies::Mode::Recommend;
  view_.put(policy);
  view_.put(rightsizing(unreadable));
  clock_.advance(std::chrono::minutes(8));  // the learning is due: a write
  usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  const auto puts = transport_->requests().size();
  const auto executed = actuator().executed.size();
  ASSERT_FALSE(reconcile().error);
  ASSERT_GT(transport_->requests().size(), puts) << "Recommend mode wrote nothing";
  keeps(unreadable, "Recommend mode");
  EXPECT_EQ(actuator().executed.size(), executed);
  // It shows Canary, not Recommended: no RightsizeRecommended, here or at
  // the next learning write (the builder's own phase had it every time).
  cache_written();
  clock_.advance(std::chrono::minutes(8));
  usage_.add_sample({engine().ref, "engine"}, false, now(), 320, 200 * kMi, std::chrono::hours(24));
  ASSERT_FALSE(reconcile().error);
  EXPECT_FALSE(has_event("RightsizeRecommended"));
}

// The policy deleted while a corrected Failed status reads as its canary:
// the canary is ended once, and the status goes idle (Observing), not
// Failed with the step cleared, which read as the same canary again and
// ended it on every reconcile.
TEST_F(RolloutDriverTest, APolicyDeletedWhileFailedEndsTheCanaryOnce) {
  into_effective_canary();
  auto stored = *last_put();
  stored["phase"] = "Failed";
  stored["history"].push_back(
      {{"time", "2026-01-01T00:00:00Z"}, {"from", "Canary"}, {"to", "Failed"}});
  view_.put(rightsizing(stored));
  view_.erase_policy("trading", "trading");
  const auto executed = actuator().executed.size();
  ASSERT_FALSE(reconcile().error);
  ASSERT_EQ(actuator().executed.size(), executed + 1);
  EXPECT_EQ(actuator().executed.back().kind, ActionKind::AbortCanary);
  const auto put = last_put();
  ASSERT_TRUE(put);
  EXPECT_EQ((*put)["phase"], "Observing") << put->dump(2);
  EXPECT_EQ((*put)["history"].back().value("from", ""), "Failed");
  cache_written();
  actuator().canary = false;
  for (int i = 0; i < 2; ++i) {
    clock_.advance(std::chrono::seconds(30));
    ASSERT_FALSE(reconcile().error);
  }
  EXPECT_EQ(actuator().executed.size(), executed + 1) << "ended again";
}

// The policy deleted mid-canary after the canary was deleted by hand (or
// after an earlier abort whose status write failed): the stage is over all
// the same, nothing is announced, and it is not ended again on every
// reconcile (it was: DELETE 404 and an Event each time).
TEST_F(RolloutDriverTest, ACanaryGoneAlreadyIsEndedOnceWithoutAnEvent) {
  into_effective_canary();
  actuator().writes = 0;
  actuator().canary = false;
  view_.erase_policy("trading", "trading");
  const auto executed = actuator().executed.size();
  events_.clear();
  ASSERT_FALSE(reconcile().error);
  ASSERT_EQ(actuator().executed.size(), executed + 1);
  EXPECT_EQ(actuator().executed.back().kind, ActionKind::AbortCanary);
  EXPECT_FALSE(has_event("RightsizeCanaryAborted"));
  const auto put = last_put();
  ASSERT_TRUE(put);
  EXPECT_EQ((*put)["phase"], "Observing") << put->dump(2);
  EXPECT_EQ((*put)["history"].back().value("reason", ""), "PolicyNotAuto");
  EXPECT_EQ((*put)["summary"].value("lastEvent", ""), "Observing");
  cache_written();
  for (int i = 0; i < 2; ++i) {
    clock_.advance(std::chrono::seconds(30));
    ASSERT_FALSE(reconcile().error);
  }
  EXPECT_EQ(actuator().executed.size(), executed + 1) << "ended again";
}

// A promotion that failed to read while it was not yet in effect, corrected
// long after its progressDeadline: it resumes Promoting with the deadline
// counted from the correction (its clock ran while nothing could act), and
// is rolled back only once that deadline has passed.
TEST_F(RolloutDriverTest, APromotionCorrectedAfterFailedGetsItsDeadlineFromTheCorrection) {
  policies::RolloutState promoting;
  promoting.phase = RightsizingPhase::Promoting;
  promoting.step = {{"engine", {{8'000, 16 * kGi}, {8'000, 16 * kGi}}}};
  promoting.step_hash = policies::step_hash(promoting.step);
  promoting.last_good = {{"engine", {{16'000, 16 * kGi}, {16'000, 16 * kGi}}}};
  promoting.started_at = now() - std::chrono::hours(2);
  policies::RightsizingStatus stored;
  policies::write_rollout_state(promoting, stored);
  stored.phase = RightsizingPhase::Failed;
  policies::record_transition(
      stored, {now() - std::chrono::hours(1), "Promoting", "Failed", "StatusUnreadable"});
  view_.put(rightsizing(policies::rightsizing_status_to_json(stored)));
  actuator().observation = {true, false, {}, {}, "1 of 2 pods run the step"};

  ASSERT_FALSE(reconcile().error);
  auto put = *last_put();
  EXPECT_EQ(put["phase"], "Promoting") << put.dump(2);
  EXPECT_EQ(put["history"].back().value("reason", ""), "StatusCorrected");
  EXPECT_TRUE(actuator().executed.empty());
  cache_written();

  clock_.advance(std::chrono::minutes(9));
  ASSERT_FALSE(reconcile().error);
  EXPECT_TRUE(actuator().executed.empty()) << "rolled back before its deadline";
  if (auto p = last_put()) cache_written();

  clock_.advance(std::chrono::minutes(2));
  ASSERT_FALSE(reconcile().error);
  ASSERT_EQ(actuator().executed.size(), 1U);
  EXPECT_EQ(actuator().executed[0].kind, ActionKind::Restore);
  EXPECT_EQ((*last_put())["phase"], "RolledBack");
}

// A Rightsizing created in Auto mode: its first status says Ready and
// Blocked like any other (it had no conditions until the next reconcile).
TEST_F(RolloutDriverTest, ANewRightsizingsFirstStatusHasItsConditions) {
  view_.erase_rightsizing("trading", "deployment-engine");
  ASSERT_FALSE(reconcile().error);
  ASSERT_EQ(log_.front(), "POST /apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizings");
  const auto put = last_put();
  ASSERT_TRUE(put);
  EXPECT_EQ((*put)["phase"], "Observing");
  const auto* ready = condition(*put, "Ready");
  ASSERT_NE(ready, nullptr) << put->dump(2);
  // Recommend mode's Ready would be True here (learning is confident), but
  // Auto mode has taken no step yet: not Ready beside Observing.
  EXPECT_EQ(ready->status, policies::ConditionStatus::False);
  EXPECT_EQ(ready->reason, "Observing");
  const auto* blocked = condition(*put, "Blocked");
  ASSERT_NE(blocked, nullptr) << put->dump(2);
  EXPECT_EQ(blocked->status, policies::ConditionStatus::False);
  EXPECT_TRUE(actuator().executed.empty());
}

// A new Rightsizing whose workload Auto mode holds (here a GitOps applier
// owns the template): its recommendation is announced once, when Auto mode
// shows Recommended, not also with the first status (phase Observing),
// which the create path used to send as well.
TEST_F(RolloutDriverTest, ANewRightsizingsRecommendationIsAnnouncedOnce) {
  view_.put(engine_with([](Workload& w) { w.gitops_manager = "argocd-controller"; }));
  view_.erase_rightsizing("trading", "deployment-engine");
  const auto recommended = [&] {
    return std::ranges::count_if(events_,
                                 [](const auto& e) { return e[1] == "RightsizeRecommended"; });
  };
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(recommended(), 0) << "announced beside phase Observing";
  cache_written();
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(reconcile().error);
    if (i == 0) {
      EXPECT_EQ((*last_put())["phase"], "Recommended") << last_put()->dump(2);
      cache_written();
    }
    clock_.advance(std::chrono::seconds(30));
  }
  EXPECT_EQ(recommended(), 1);
  EXPECT_TRUE(actuator().executed.empty());
}

// A pause mid-canary ends the canary without a floor: counted as aborted,
// not as a rollback (an alert on rollbacks means failed steps).
TEST_F(RolloutDriverTest, APauseMidCanaryIsCountedAsAbortedNotRolledBack) {
  into_effective_canary();
  view_.put(engine_with([](Workload& w) { w.paused = true; }));
  ASSERT_FALSE(reconcile().error);
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "RolledBack");
  EXPECT_FALSE(put.contains("lastRollback")) << put.dump(2);
  EXPECT_EQ(canaries_, (std::vector<std::string>{"started", "aborted"}));
}

TEST_F(RolloutDriverTest, APdbAtZeroDuringTheCanaryHoldsThePromotionUntilItLifts) {
  into_effective_canary();
  // A node drain leaves the PDB at 0 while the canary runs; usage sampling
  // fails too, which holds no canary (only a new step needs fresh usage).
  PdbInfo pdb = pdb_at_zero_over_four_replicas(view_);
  view_.put(pdb);
  usage_.record_failure("trading", now(), "metrics.k8s.io: 503");
  const auto needed = view_.policy("trading", "trading")->parsed.spec.rollout.successful_checks;
  for (int i = 0; i < needed + 1; ++i) {
    clock_.advance(std::chrono::minutes(1));
    ASSERT_FALSE(reconcile().error);
    cache_written();
  }
  EXPECT_TRUE(std::ranges::none_of(
      actuator().executed, [](const auto& a) { return a.kind == policies::ActionKind::Promote; }));
  auto put = *last_put();
  EXPECT_EQ(put["phase"], "Canary");
  EXPECT_EQ(put["canary"]["checksPassed"], needed);
  EXPECT_EQ(checks_.size(), static_cast<std::size_t>(needed));  // held: not analysed again
  const auto* blocked = condition(put, "Blocked");
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(blocked->reason, "PDBViolation");
  EXPECT_TRUE(has_event("RightsizeBlocked"));
  // The drain is over. The pass is more than analysisInterval old: the
  // canary is judged once more (it may have degraded while held), passes,
  // and is promoted in the same reconcile.
  pdb.disruptions_allowed = 1;
  view_.put(pdb);
  clock_.advance(std::chrono::seconds(5));
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(log_, (Log{std::string("PUT ") + kStatus, "execute Promote"}));
  EXPECT_EQ(checks_.size(), static_cast<std::size_t>(needed + 1));
  EXPECT_EQ((*last_put())["phase"], "Promoting");
}

TEST_F(RolloutDriverTest, ACanaryOfAnOlderTemplateIsReplacedAndItsCountsReset) {
  into_effective_canary();
  clock_.advance(std::chrono::minutes(1));
  ASSERT_FALSE(reconcile().error);
  cache_written();
  ASSERT_EQ((*last_put())["canary"]["checksPassed"], 1);
  // CI changed the workload's template: the actuator sees the canary as not
  // this step's any more.
  actuator().observation = {false, false, {}, {"engine-a", "engine-b"}, "older template"};
  clock_.advance(std::chrono::minutes(1));
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(log_, (Log{std::string("PUT ") + kStatus, "execute StartCanary"}));
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "Canary");
  EXPECT_EQ(put["canary"].value("checksPassed", 0), 0);
  EXPECT_EQ(put["canary"].value("checksFailed", 0), 0);
  EXPECT_FALSE(put["canary"].contains("effectiveAt"));
  EXPECT_EQ(put["canary"]["startedAt"], policies::format_timestamp(now()));
}

TEST_F(RolloutDriverTest, APromoteActionIsExecutedOnceAndTheAnnotationRemoved) {
  into_effective_canary();
  cache_written("promote");
  const auto out = reconcile();
  ASSERT_FALSE(out.error) << out.error->describe();
  ASSERT_EQ(log_, (Log{std::string("PUT ") + kStatus, "execute Promote",
                       std::string("PATCH ") + kObject}));
  EXPECT_EQ((*last_put())["phase"], "Promoting");
  const auto patch = json::parse(transport_->requests().back().request.body);
  EXPECT_EQ(patch, json::parse(R"({"metadata":{"annotations":{"rightsizer.io/action":null}}})"));
  EXPECT_EQ(canaries_, (std::vector<std::string>{"started", "promoted"}));
}

TEST_F(RolloutDriverTest, AnUnknownActionIsRejectedAndRemovedWithoutActing) {
  into_effective_canary();
  cache_written("promote-now");
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(std::ranges::count(log_, "execute Promote"), 0);
  EXPECT_EQ(log_.back(), std::string("PATCH ") + kObject);
  EXPECT_EQ(event("RightsizeActionRejected")[0], "Warning");
}

TEST_F(RolloutDriverTest, OptingOutMidCanaryAbortsTheCanaryBeforeTheRightsizingGoes) {
  into_effective_canary();
  view_.put(engine_with([](Workload& w) { w.policy.reset(); }));
  const auto out = reconcile();
  ASSERT_FALSE(out.error) << out.error->describe();
  ASSERT_EQ(log_, (Log{"execute AbortCanary", std::string("DELETE ") + kObject}));
  EXPECT_EQ(actuator().executed.back().sizes.at("engine").requests.cpu_millicores, 16'000);
  EXPECT_EQ(out.writes, 2);
}

TEST_F(RolloutDriverTest, OptingOutWithNothingInFlightOnlyDeletesTheRightsizing) {
  view_.put(engine_with([](Workload& w) { w.policy.reset(); }));
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(log_, (Log{std::string("DELETE ") + kObject}));
}

TEST_F(RolloutDriverTest, PolicySwitchedToRecommendMidCanaryDeletesTheCanaryAndKeepsLastGood) {
  into_effective_canary();
  auto policy = trading_policy();
  policy.parsed.spec.mode = policies::Mode::Recommend;
  view_.put(policy);
  const auto out = reconcile();
  ASSERT_FALSE(out.error) << out.error->describe();
  ASSERT_EQ(log_, (Log{"execute AbortCanary", std::string("PUT ") + kStatus}));
  EXPECT_EQ(actuator().executed.back().sizes.at("engine").requests.cpu_millicores, 16'000);
  const auto put = *last_put();
  EXPECT_EQ(put["phase"], "Recommended");
  EXPECT_FALSE(put.contains("canary"));
  EXPECT_FALSE(put["containers"][0].contains("step"));
  EXPECT_EQ(put["containers"][0]["lastGood"]["requests"]["cpu"], "16");
  EXPECT_EQ(put["containers"][0]["original"]["requests"]["cpu"], "16");
  EXPECT_EQ(put["history"].back()["reason"], "PolicyNotAuto");
  EXPECT_TRUE(has_event("RightsizeCanaryAborted"));
  // Once ended, nothing more is done.
  cache_written();
  ASSERT_FALSE(reconcile().error);
  EXPECT_EQ(std::ranges::count(log_, "execute AbortCanary"), 0);
}

TEST_F(RolloutDriverTest, AnInvalidPolicyMidCanaryEndsTheCanaryIdle) {
  into_effective_canary();
  auto policy = trading_policy();
  policy.parsed.problems.push_back({"spec.rollout", "broken"});
  view_.put(policy);
  ASSERT_FALSE(reconcile().error);
  ASSERT_EQ(log_, (Log{"execute AbortCanary", std::string("PUT ") + kStatus}));
  const auto put = *last_put();
  EXPECT_FALSE(policies::in_flight(*policies::rightsizing_status_from_json(put)->phase));
  EXPECT_EQ(put["containers"][0]["lastGood"]["requests"]["cpu"], "16");
}

TEST_F(RolloutDriverTest, PolicyDeletedMidPromotionKeepsTheRolloutFields) {
  into_effective_canary();
  cache_written("promote");
  ASSERT_FALSE(reconcile().error);
  cache_written();
  const auto promoting = *last_put();
  ASSERT_EQ(promoting["phase"], "Promoting");
  view_.erase_policy("trading", "trading");
  const auto before = transport_->requests().size();
  ASSERT_FALSE(reconcile().error);
  // A Deployment's promotion is written already: nothing to end, and
  // whatever is written keeps the state.
  EXPECT_EQ(std::ranges::count_if(log_, [](const auto& l) { return l.starts_with("execute"); }), 0);
  if (transport_->requests().size() > before) {
    const auto put = *last_put();
    EXPECT_EQ(put["phase"], "Promoting");
    EXPECT_EQ(put["containers"][0]["step"], promoting["containers"][0]["step"]);
    EXPECT_EQ(put["containers"][0]["lastGood"]["requests"]["cpu"], "16");
  }
  // The policy back in Auto mode: the promotion goes on with its step.
  auto policy = trading_policy();
  policy.parsed.spec.rollout.failure_threshold = 1;
  view_.put(policy);
  actuator().observed.clear();
  ASSERT_FALSE(reconcile().error);
  ASSERT_FALSE(actuator().observed.empty());
  EXPECT_EQ(actuator().observed.back().phase, RightsizingPhase::Promoting);
  EXPECT_EQ(actuator().observed.back().sizes.at("engine").requests.cpu_millicores, 8'000);
}

TEST_F(RolloutDriverTest, AStatefulSetInAnyStageInFlightGetsLastGoodBackWhenEnded) {
  into_effective_canary();
  cache_written("promote");
  ASSERT_FALSE(reconcile().error);
  const auto rsz = rightsizing(*last_put());
  ASSERT_EQ(rsz.status.phase, RightsizingPhase::Promoting);
  const auto sts = engine_with([](Workload& w) { w.ref.kind = WorkloadKind::StatefulSet; });
  const auto ended = driver_->abort_canary(sts, rsz, {});
  ASSERT_TRUE(ended);
  EXPECT_TRUE(ended->ended);
  EXPECT_EQ(ended->writes, 1);
  ASSERT_EQ(sts_actuator_->executed.size(), 1u);
  EXPECT_EQ(sts_actuator_->executed[0].kind, ActionKind::AbortCanary);
  EXPECT_EQ(sts_actuator_->executed[0].sizes.at("engine").requests.cpu_millicores, 16'000);
  // A Deployment's promotion stays.
  const auto kept = driver_->abort_canary(engine(), rsz, {});
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->ended);
  EXPECT_EQ(kept->writes, 0);
}

TEST_F(RolloutDriverTest, TheStatusWrittenStaysWithinTheSchemasMaxItems) {
  ASSERT_FALSE(reconcile().error);
  cache_written();
  std::vector<std::string> pods;
  for (int i = 0; i < 1500; ++i) pods.push_back("engine-canary-" + std::to_string(i));
  actuator().observation = {true, true, pods, {"engine-a"}, ""};
  actuator().canary = true;
  ASSERT_FALSE(reconcile().error);
  const auto put = *last_put();
  ASSERT_TRUE(put.contains("canary"));
  EXPECT_EQ(put["canary"]["pods"].size(), kMaxPods);
}

TEST_F(RolloutDriverTest, RealisedSavingsCountFromTheOriginalSize) {
  // Rightsized at 8 cores from an original 16 (2 replicas, $15 a core-month).
  view_.put(engine_with([](Workload& w) {
    w.containers[0].resources.requests.cpu_millicores = 8'000;
    w.containers[0].resources.limits.cpu_millicores = 8'000;
  }));
  view_.put(rightsizing(json::parse(R"({"phase": "Rightsized", "containers": [{"name": "engine",
      "original": {"requests": {"cpu": "16", "memory": "16Gi"},
                   "limits": {"cpu": "16", "memory": "16Gi"}},
      "lastGood": {"requests": {"cpu": "8", "memory": "16Gi"},
                   "limits": {"cpu": "8", "memory": "16Gi"}}}]})")));
  ASSERT_FALSE(reconcile().error);
  const auto put = *last_put();
  EXPECT_EQ(put["monthlyCost"]["realized"], "240.00");
  EXPECT_EQ(put["containers"][0]["original"]["requests"]["cpu"], "16");
}

// A status written anyway (here: the canary took effect) carries fresh
// learning, as in Recommend mode; only learning that merely grew waits for
// the checkpoint interval. Before, the checkpoint of the first write stayed
// for up to 7.5 minutes, and a restart lost the confidence a step was taken on.
TEST_F(RolloutDriverTest, AStatusWrittenAnywayCarriesFreshLearning) {
  ASSERT_FALSE(reconcile().error);  // Canary; the first write carries the learning
  cache_written();
  EXPECT_EQ((*last_put())["containers"][0]["usage"]["samples"], 120);
  for (int i = 1; i <= 3; ++i) {
    usage_.add_sample({engine().ref, "engine"}, false, now() + std::chrono::seconds(10 * i), 300,
                      200 * kMi, std::chrono::hours(24));
  }
  clock_.advance(std::chrono::seconds(40));
  // The canary takes effect, long before the checkpoint interval: that
  // status carries the 123 samples.
  const auto before = transport_->requests().size();
  actuator().observation = {true, true, {"engine-canary-1"}, {"engine-a", "engine-b"}, ""};
  actuator().canary = true;
  ASSERT_FALSE(reconcile().error);
  ASSERT_GT(transport_->requests().size(), before);
  EXPECT_EQ((*last_put())["phase"], "Canary");
  const auto put = *last_put();
  EXPECT_EQ(put["containers"][0]["usage"]["samples"], 123) << put.dump(2);
  auto learnt = policies::decode_checkpoint_text(put["containers"][0].value("checkpoint", ""));
  ASSERT_TRUE(learnt) << learnt.error();
  EXPECT_EQ(learnt->samples(), 123);
}

// In Auto mode the learning goes out at most every checkpoint interval, but
// an OOMKill just learnt goes out with the status that answers it: the
// bump's rollout replaces the pod that reports the kill, and a restart
// before the next learning write would forget it.
TEST_F(RolloutDriverTest, AnOomKillIsCheckpointedWithTheStatusThatAnswersIt) {
  ASSERT_FALSE(reconcile().error);  // the first write carries the learning
  cache_written();
  view_.put(
      oom_killed_pod("engine-a", engine().containers[0].resources, now() - std::chrono::minutes(1)),
      engine().ref);
  clock_.advance(std::chrono::seconds(5));
  ASSERT_FALSE(reconcile().error);
  const auto put = last_put();
  ASSERT_TRUE(put);
  const auto text = (*put)["containers"][0].value("checkpoint", "");
  auto restored = policies::decode_checkpoint_text(text);
  ASSERT_TRUE(restored) << restored.error();
  EXPECT_GT(restored->memory_interval_oom_bytes(), 0) << "the kill is not in the checkpoint";
}

}  // namespace
}  // namespace controller
