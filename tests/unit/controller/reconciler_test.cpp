#include "controller/reconciler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "controller/checkpoint_schedule.h"
#include "controller/rightsizing_builder.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "policies/policy_status.h"
#include "policies/quantity.h"
#include "policies/rightsizing_status.h"
#include "policies/usage_checkpoint.h"
#include "tests/unit/controller/fake_cluster_view.h"
#include "tests/unit/controller/reconciler_fixtures.h"

namespace controller {
namespace {

using nlohmann::json;
using namespace controller::testing;
using k8s::Method;

constexpr const char* kCollection = "/apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizings";
constexpr const char* kObject =
    "/apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizings/deployment-engine";
constexpr const char* kStatus =
    "/apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizings/deployment-engine/status";
constexpr const char* kPolicyStatus =
    "/apis/rightsizer.io/v1alpha1/namespaces/trading/rightsizepolicies/trading/status";

struct RecordedEvent {
  k8s::InvolvedObject object;
  k8s::EventType type;
  std::string reason, message;
};

k8s::Result<k8s::HttpResponse> answer(int status, const json& body) {
  return k8s::HttpResponse{status, {}, body.dump()};
}

json conflict() {
  return {{"kind", "Status"}, {"status", "Failure"}, {"reason", "Conflict"}, {"code", 409}};
}

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest() {
    // Every write succeeds unless a test scripts otherwise: POST answers a
    // new object at resourceVersion 41, PUT echoes its body.
    transport_->set_handler([](const k8s::Request& r) -> k8s::Result<k8s::HttpResponse> {
      if (r.method == Method::Post) {
        auto obj = json::parse(r.body);
        obj["metadata"]["resourceVersion"] = "41";
        obj["metadata"]["uid"] = "uid-rsz";
        return answer(201, obj);
      }
      if (r.method == Method::Put || r.method == Method::Patch)
        return answer(200, json::parse(r.body));
      return answer(404, {{"kind", "Status"}, {"reason", "NotFound"}, {"code", 404}});
    });
  }
  static k8s::ClientOptions client_options() {
    k8s::ClientOptions o;
    o.qps = 0;
    o.max_attempts = 1;
    return o;
  }
  Reconciler& reconciler() {
    if (!reconciler_) {
      reconciler_ = std::make_unique<Reconciler>(
          view_, usage_, client_,
          [this](const k8s::InvolvedObject& o, k8s::EventType t, const std::string& reason,
                 const std::string& message) {
            events_.push_back({o, t, reason, message});
          },
          clock_, options_);
    }
    return *reconciler_;
  }
  ReconcileOutcome reconcile_engine() { return reconciler().reconcile_workload(engine().ref, {}); }
  policies::Time now() const { return std::chrono::floor<std::chrono::seconds>(clock_.wall_now()); }
  void learn(int minutes = 120, std::int64_t cpu = 300) {
    for (int i = minutes; i > 0; --i) {
      usage_.add_sample({engine().ref, "engine"}, false, now() - std::chrono::minutes(i), cpu,
                        200 * kMi, std::chrono::hours(24));
    }
  }
  std::vector<k8s::testing::RecordedRequest> requests() const { return transport_->requests(); }
  // The Rightsizing as the informer would hold it after `put` (a PUT body).
  static RightsizingObject stored(const json& put, std::string rv = "42") {
    RightsizingObject r;
    r.namespace_name = "trading";
    r.name = "deployment-engine";
    r.uid = "uid-rsz";
    r.resource_version = std::move(rv);
    r.owners = {{"apps/v1", "Deployment", "engine", "uid-engine", true}};
    r.policy_label = "trading";
    r.policy_ref = "trading";
    r.target = engine().ref;
    auto status = policies::rightsizing_status_from_json(put.at("status"));
    EXPECT_TRUE(status) << status.error();
    if (status) r.status = *status;
    return r;
  }
  static RightsizingObject empty_rightsizing(std::string rv = "77") {
    return stored({{"status", json::object()}}, std::move(rv));
  }
  // One reconcile that writes; the cache then holds what it wrote.
  void reconcile_and_cache() {
    const auto before = requests().size();
    auto out = reconcile_engine();
    ASSERT_FALSE(out.error) << out.error->describe();
    const auto all = requests();
    ASSERT_GT(all.size(), before);
    ASSERT_EQ(all.back().request.path, kStatus);
    view_.put(stored(json::parse(all.back().request.body)));
  }

  FakeClusterView view_;
  UsageStore usage_;
  std::shared_ptr<k8s::testing::FakeTransport> transport_ =
      std::make_shared<k8s::testing::FakeTransport>();
  k8s::testing::FakeClock clock_;
  k8s::testing::FixedRandom random_;
  k8s::ApiClient client_{transport_, nullptr, clock_, random_, client_options()};
  ReconcilerOptions options_;
  std::vector<RecordedEvent> events_;
  std::unique_ptr<Reconciler> reconciler_;
};

TEST_F(ReconcilerTest, CreatesTheRightsizingOwnedAndLabelledThenWritesItsStatus) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  const auto out = reconcile_engine();
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(out.writes, 2);
  EXPECT_EQ(out.requeue_after, options_.resync);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].request.method, Method::Post);
  EXPECT_EQ(reqs[0].request.path, kCollection);
  const json expected = json::parse(R"({
    "apiVersion": "rightsizer.io/v1alpha1", "kind": "Rightsizing",
    "metadata": {"name": "deployment-engine", "namespace": "trading",
                 "labels": {"rightsizer.io/policy": "trading"},
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                      "name": "engine", "uid": "uid-engine",
                                      "controller": true, "blockOwnerDeletion": false}]},
    "spec": {"policyRef": {"name": "trading"},
             "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "engine"}}})");
  EXPECT_EQ(json::parse(reqs[0].request.body), expected);
  EXPECT_EQ(reqs[1].request.method, Method::Put);
  EXPECT_EQ(reqs[1].request.path, kStatus);
  const auto body = json::parse(reqs[1].request.body);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "41");
  EXPECT_EQ(body["status"]["phase"], "Recommended");
  EXPECT_EQ(body["status"]["containers"][0]["recommended"]["requests"]["cpu"], "550m");
  EXPECT_EQ(body["status"]["monthlyCost"]["savings"], "557.62");
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].reason, "RightsizeRecommended");
  EXPECT_EQ(events_[0].type, k8s::EventType::Normal);
  EXPECT_EQ(events_[0].object.kind, "Deployment");
  EXPECT_EQ(events_[0].object.name, "engine");
  EXPECT_EQ(events_[0].object.uid, "uid-engine");
}

TEST_F(ReconcilerTest, NoRequestAtAllWhenNothingChanged) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  reconcile_and_cache();
  const auto before = requests().size();
  clock_.advance(std::chrono::seconds(30));
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.writes, 0);
  EXPECT_EQ(requests().size(), before);
  EXPECT_EQ(events_.size(), 1u);  // the first recommendation only
}

TEST_F(ReconcilerTest, StatusIsPutWithTheCachedResourceVersion) {
  view_.put(engine());
  view_.put(trading_policy());
  view_.put(empty_rightsizing("77"));
  const auto out = reconcile_engine();
  ASSERT_FALSE(out.error);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request.method, Method::Put);
  EXPECT_EQ(reqs[0].request.path, kStatus);
  const auto body = json::parse(reqs[0].request.body);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "77");
  EXPECT_EQ(body["status"]["phase"], "Observing");
  EXPECT_EQ(out.writes, 1);
}

TEST_F(ReconcilerTest, AConflictRereadsAndReappliesOnTheFreshObject) {
  view_.put(engine());
  view_.put(trading_policy());
  view_.put(empty_rightsizing("77"));
  transport_->push(answer(409, conflict()));
  const json fresh = {{"metadata", {{"resourceVersion", "78"}}},
                      {"status",
                       {{"phase", "Observing"},
                        {"history", json::array({{{"time", "2023-11-14T00:00:00Z"},
                                                  {"to", "Observing"},
                                                  {"reason", "CollectingUsage"}}})}}}};
  transport_->push(answer(200, fresh));
  learn();
  const auto out = reconcile_engine();
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(out.writes, 2);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].request.method, Method::Put);
  EXPECT_EQ(reqs[1].request.method, Method::Get);
  EXPECT_EQ(reqs[1].request.path, kObject);
  EXPECT_EQ(reqs[2].request.method, Method::Put);
  const auto body = json::parse(reqs[2].request.body);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "78");
  // Re-applied on what the server holds: its history is kept and extended.
  ASSERT_EQ(body["status"]["history"].size(), 2u);
  EXPECT_EQ(body["status"]["history"][0]["time"], "2023-11-14T00:00:00Z");
  EXPECT_EQ(body["status"]["history"][1]["from"], "Observing");
  EXPECT_EQ(body["status"]["history"][1]["to"], "Recommended");
}

TEST_F(ReconcilerTest, ConflictsAreRetriedABoundedNumberOfTimes) {
  view_.put(engine());
  view_.put(trading_policy());
  view_.put(empty_rightsizing("77"));
  transport_->set_handler([](const k8s::Request& r) -> k8s::Result<k8s::HttpResponse> {
    if (r.method == Method::Get) return answer(200, {{"metadata", {{"resourceVersion", "78"}}}});
    return answer(409, conflict());
  });
  options_.conflict_retries = 2;
  const auto out = reconcile_engine();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, k8s::ErrorKind::Conflict);
  EXPECT_EQ(out.writes, 3);
  EXPECT_EQ(requests().size(), 5u);  // PUT, GET, PUT, GET, PUT
  EXPECT_TRUE(events_.empty());
}

TEST_F(ReconcilerTest, AFreshObjectThatAlreadyMatchesIsNotWrittenAgain) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  reconcile_and_cache();
  const json written = json::parse(requests().back().request.body);
  // The cache lags: it still holds an empty status at an old version.
  view_.put(empty_rightsizing("77"));
  transport_->push(answer(409, conflict()));
  json fresh = written;
  fresh["metadata"]["resourceVersion"] = "90";
  transport_->push(answer(200, fresh));
  const auto before = requests().size();
  const auto out = reconcile_engine();
  ASSERT_FALSE(out.error);
  EXPECT_EQ(requests().size(), before + 2);  // PUT (409), GET; nothing more
  EXPECT_EQ(out.writes, 1);
}

TEST_F(ReconcilerTest, ARemovedAnnotationDeletesTheRightsizingWithAUidPrecondition) {
  auto w = engine();
  w.policy.reset();
  view_.put(w);
  view_.put(empty_rightsizing());
  learn();
  const auto out = reconcile_engine();
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.writes, 1);
  EXPECT_FALSE(out.requeue_after);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request.method, Method::Delete);
  EXPECT_EQ(reqs[0].request.path, kObject);
  EXPECT_EQ(json::parse(reqs[0].request.body)["preconditions"]["uid"], "uid-rsz");
  EXPECT_FALSE(usage_.usage({engine().ref, "engine"}));  // forgotten
}

TEST_F(ReconcilerTest, AGoneWorkloadsRightsizingIsDeletedAndNotFoundIsDone) {
  view_.put(empty_rightsizing());
  transport_->push(answer(404, {{"kind", "Status"}, {"reason", "NotFound"}, {"code", 404}}));
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  ASSERT_EQ(requests().size(), 1u);
  EXPECT_EQ(requests()[0].request.method, Method::Delete);
}

TEST_F(ReconcilerTest, ADeletingWorkloadsRightsizingIsDeleted) {
  auto w = engine();
  w.deleting = true;
  view_.put(w);
  view_.put(trading_policy());
  view_.put(empty_rightsizing());
  EXPECT_FALSE(reconcile_engine().error);
  ASSERT_EQ(requests().size(), 1u);
  EXPECT_EQ(requests()[0].request.method, Method::Delete);
}

TEST_F(ReconcilerTest, ARightsizingOfAnotherTargetIsNotDeleted) {
  auto r = empty_rightsizing();
  r.target->name = "someone-else";
  view_.put(r);
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, NoAnnotationAndNoRightsizingMeansNoRequest) {
  auto w = engine();
  w.policy.reset();
  view_.put(w);
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, AnInvalidPolicyCreatesNothing) {
  view_.put(engine());
  view_.put(invalid_policy());
  learn();
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, AMissingPolicyCreatesNothing) {
  view_.put(engine());
  learn();
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, AnExistingRightsizingUnderAnInvalidPolicyIsBlocked) {
  view_.put(engine());
  view_.put(invalid_policy());
  view_.put(empty_rightsizing());
  ASSERT_FALSE(reconcile_engine().error);
  ASSERT_EQ(requests().size(), 1u);
  const auto status = json::parse(requests()[0].request.body)["status"];
  bool blocked = false;
  for (const auto& c : status["conditions"]) {
    if (c["type"] == "Blocked") {
      blocked = true;
      EXPECT_EQ(c["status"], "True");
      EXPECT_EQ(c["reason"], "InvalidPolicy");
    }
  }
  EXPECT_TRUE(blocked);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].reason, "RightsizeBlocked");
  EXPECT_EQ(events_[0].type, k8s::EventType::Warning);
}

TEST_F(ReconcilerTest, AnInvalidPolicyGetsValidFalseWithTheValidatorsMessages) {
  view_.put(invalid_policy());
  const auto out = reconciler().reconcile_policy({"trading", "trading"}, {});
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.writes, 1);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request.method, Method::Put);
  EXPECT_EQ(reqs[0].request.path, kPolicyStatus);
  const auto body = json::parse(reqs[0].request.body);
  EXPECT_EQ(body["kind"], "RightsizePolicy");
  EXPECT_EQ(body["metadata"]["resourceVersion"], "500");
  EXPECT_EQ(body["status"]["observedGeneration"], 7);
  const auto& valid = body["status"]["conditions"][0];
  EXPECT_EQ(valid["type"], "Valid");
  EXPECT_EQ(valid["status"], "False");
  EXPECT_EQ(valid["reason"], "InvalidPolicy");
  EXPECT_EQ(valid["message"],
            "spec.cpu.targetUtilization: must be in (0, 1]; spec.cpu.min: must not exceed "
            "spec.cpu.max");
}

TEST_F(ReconcilerTest, APolicyStatusIsNotRewrittenWhenItIsTrue) {
  view_.put(trading_policy());
  ASSERT_FALSE(reconciler().reconcile_policy({"trading", "trading"}, {}).error);
  ASSERT_EQ(requests().size(), 1u);
  auto p = trading_policy();
  auto status =
      policies::policy_status_from_json(json::parse(requests()[0].request.body)["status"]);
  ASSERT_TRUE(status);
  p.status = *status;
  view_.put(p);
  clock_.advance(std::chrono::minutes(3));
  const auto out = reconciler().reconcile_policy({"trading", "trading"}, {});
  EXPECT_EQ(out.writes, 0);
  EXPECT_EQ(requests().size(), 1u);
}

TEST_F(ReconcilerTest, APolicyStatusConflictIsRereadAndReapplied) {
  view_.put(trading_policy());
  transport_->push(answer(409, conflict()));
  transport_->push(answer(200, {{"metadata", {{"resourceVersion", "501"}}}}));
  const auto out = reconciler().reconcile_policy({"trading", "trading"}, {});
  ASSERT_FALSE(out.error);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].request.method, Method::Get);
  EXPECT_EQ(json::parse(reqs[2].request.body)["metadata"]["resourceVersion"], "501");
}

TEST_F(ReconcilerTest, APolicyStatusConflictFromASpecChangeIsReappliedFromTheFreshSpec) {
  view_.put(trading_policy());  // generation 7, valid
  transport_->push(answer(409, conflict()));
  // The spec changed meanwhile: generation 8, and invalid.
  transport_->push(answer(200, {{"apiVersion", "rightsizer.io/v1alpha1"},
                                {"kind", "RightsizePolicy"},
                                {"metadata",
                                 {{"name", "trading"},
                                  {"namespace", "trading"},
                                  {"resourceVersion", "501"},
                                  {"generation", 8},
                                  {"uid", "uid-policy"}}},
                                {"spec", {{"cpu", {{"targetUtilization", 7}}}}}}));
  const auto out = reconciler().reconcile_policy({"trading", "trading"}, {});
  ASSERT_FALSE(out.error);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);
  const auto body = json::parse(reqs[2].request.body);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "501");
  EXPECT_EQ(body["status"]["observedGeneration"], 8);
  bool valid_seen = false;
  for (const auto& c : body["status"]["conditions"]) {
    if (c["type"] != "Valid") continue;
    valid_seen = true;
    EXPECT_EQ(c["status"], "False");
  }
  EXPECT_TRUE(valid_seen);
}

TEST_F(ReconcilerTest, KeysAreDispatchedAndUnknownKeysDropped) {
  view_.put(trading_policy());
  EXPECT_EQ(reconciler().reconcile("RightsizePolicy/trading/trading", {}).writes, 1);
  EXPECT_EQ(requests().back().request.path, kPolicyStatus);
  view_.put(engine());
  view_.put(empty_rightsizing());
  EXPECT_EQ(reconciler().reconcile("Deployment/trading/engine", {}).writes, 1);
  EXPECT_EQ(requests().back().request.path, kStatus);
  const auto before = requests().size();
  const auto out = reconciler().reconcile("Pod/trading/engine-1", {});
  EXPECT_FALSE(out.error);
  EXPECT_FALSE(out.requeue_after);
  EXPECT_EQ(requests().size(), before);
}

// The decision table: what the caches hold → the requests sent, in order.
enum class PolicyIs { Valid, Invalid, Missing };
struct WorkloadCase {
  std::string name;
  bool workload = true;
  bool annotated = true;
  bool workload_deleting = false;
  PolicyIs policy = PolicyIs::Valid;
  bool rightsizing = false;
  bool rightsizing_deleting = false;
  std::vector<Method> requests;
  bool requeue = true;
};

class ReconcileDecisions : public ReconcilerTest,
                           public ::testing::WithParamInterface<WorkloadCase> {};

TEST_P(ReconcileDecisions, Requests) {
  const auto& tc = GetParam();
  if (tc.workload) {
    auto w = engine();
    if (!tc.annotated) w.policy.reset();
    w.deleting = tc.workload_deleting;
    view_.put(w);
  }
  if (tc.policy != PolicyIs::Missing) {
    view_.put(tc.policy == PolicyIs::Valid ? trading_policy() : invalid_policy());
  }
  if (tc.rightsizing) {
    auto r = empty_rightsizing();
    r.deleting = tc.rightsizing_deleting;
    view_.put(r);
  }
  learn();
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  std::vector<Method> methods;
  for (const auto& r : requests()) methods.push_back(r.request.method);
  EXPECT_EQ(methods, tc.requests);
  EXPECT_EQ(out.writes, static_cast<int>(tc.requests.size()));
  EXPECT_EQ(out.requeue_after.has_value(), tc.requeue);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReconcileDecisions,
    ::testing::Values(
        WorkloadCase{"NewOptIn",
                     true,
                     true,
                     false,
                     PolicyIs::Valid,
                     false,
                     false,
                     {Method::Post, Method::Put},
                     true},
        WorkloadCase{
            "Existing", true, true, false, PolicyIs::Valid, true, false, {Method::Put}, true},
        WorkloadCase{
            "NewUnderInvalidPolicy", true, true, false, PolicyIs::Invalid, false, false, {}, true},
        WorkloadCase{
            "NewUnderMissingPolicy", true, true, false, PolicyIs::Missing, false, false, {}, true},
        WorkloadCase{"ExistingUnderInvalidPolicy",
                     true,
                     true,
                     false,
                     PolicyIs::Invalid,
                     true,
                     false,
                     {Method::Put},
                     true},
        WorkloadCase{"ExistingUnderMissingPolicy",
                     true,
                     true,
                     false,
                     PolicyIs::Missing,
                     true,
                     false,
                     {Method::Put},
                     true},
        WorkloadCase{
            "RightsizingBeingDeleted", true, true, false, PolicyIs::Valid, true, true, {}, true},
        WorkloadCase{"AnnotationRemoved",
                     true,
                     false,
                     false,
                     PolicyIs::Valid,
                     true,
                     false,
                     {Method::Delete},
                     false},
        WorkloadCase{
            "NeverAnnotated", true, false, false, PolicyIs::Valid, false, false, {}, false},
        WorkloadCase{"WorkloadGone",
                     false,
                     true,
                     false,
                     PolicyIs::Valid,
                     true,
                     false,
                     {Method::Delete},
                     false},
        WorkloadCase{"WorkloadDeleting",
                     true,
                     true,
                     true,
                     PolicyIs::Valid,
                     true,
                     false,
                     {Method::Delete},
                     false},
        WorkloadCase{"BothGoing", false, true, false, PolicyIs::Valid, true, true, {}, false}),
    [](const auto& info) { return info.param.name; });

struct KeyCase {
  std::string key;
  bool ok;
};
class PolicyKeys : public ::testing::TestWithParam<KeyCase> {};
TEST_P(PolicyKeys, Parse) {
  const auto parsed = parse_policy_key(GetParam().key);
  EXPECT_EQ(parsed.has_value(), GetParam().ok);
  if (parsed) {
    EXPECT_EQ(policy_key(parsed->namespace_name, parsed->name), GetParam().key);
  }
}
INSTANTIATE_TEST_SUITE_P(
    Table, PolicyKeys,
    ::testing::Values(KeyCase{"RightsizePolicy/ns/p", true}, KeyCase{"RightsizePolicy/ns/", false},
                      KeyCase{"RightsizePolicy//p", false}, KeyCase{"RightsizePolicy/ns", false},
                      KeyCase{"RightsizePolicy/ns/p/x", false}, KeyCase{"Deployment/ns/p", false}));

// An OOMKill goes into the learning (VPA's RecordOOM): the memory it asks
// for is still recommended after the pod that reported it is replaced, and
// the recommendation does not move when that pod goes.
TEST_F(ReconcilerTest, AnOomKillIsLearntAndOutlivesThePodThatReportedIt) {
  auto w = engine();
  w.containers[0].resources.requests.memory_bytes = kGi;
  w.containers[0].resources.limits.memory_bytes = kGi;
  view_.put(w);
  view_.put(trading_policy());
  view_.put(empty_rightsizing());
  learn();  // 200Mi in use: usage alone recommends 250Mi
  view_.put(
      oom_killed_pod("engine-abc", w.containers[0].resources, now() - std::chrono::minutes(5)),
      w.ref);
  const auto recommended_memory = [&] {
    const auto put = json::parse(requests().back().request.body);
    return put["status"]["containers"][0]["recommended"]["requests"].value("memory", "");
  };
  reconcile_and_cache();
  const std::string with_pod = recommended_memory();
  // The kill needed max(1Gi + 100Mi, 1Gi × 1.2) = 1.2Gi; the learnt peak is
  // that, over the target utilization 0.8.
  const auto units = policies::parse_units(with_pod);
  ASSERT_TRUE(units) << with_pod;
  EXPECT_GE(*units, kGi * 6 / 5 * 5 / 4) << with_pod;
  EXPECT_EQ(usage_.usage({w.ref, "engine"})->samples(), 120) << "a kill is no sample";

  view_.erase_pod("trading", "engine-abc");
  clock_.advance(std::chrono::minutes(10));
  learn(1);
  reconcile_and_cache();
  EXPECT_EQ(recommended_memory(), with_pod) << "the kill is forgotten with its pod";
}

// After a restart the pod still reports the kill that the restored
// checkpoint holds (the status's oomKilledAt went out with it): the kill is
// not sized again from the usage peak grown since (no memory limit: the
// memory at the kill is the interval's peak).
TEST_F(ReconcilerTest, AKillTheRestoredCheckpointHoldsIsNotSizedAgain) {
  const auto kill_at = now() - std::chrono::minutes(5);
  auto stored = learned(now() - std::chrono::minutes(6), 300, 200 * kMi, 120);
  const std::int64_t need = 1200 * kMi;
  ASSERT_TRUE(stored.record_oom(kill_at, need));
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  policies::ContainerStatus c;
  c.name = "engine";
  c.checkpoint = policies::encode_checkpoint_text(stored);
  c.oom_killed_at = kill_at;
  r.status.containers.push_back(c);
  view_.put(r);
  policies::ContainerResources no_limit;
  no_limit.requests.memory_bytes = kGi;
  view_.put(oom_killed_pod("engine-abc", no_limit, kill_at), engine().ref);
  // The first pass after the start: 4Gi in use now, after the kill.
  const UsageKey key{engine().ref, "engine"};
  usage_.add_sample(key, false, now(), 300, 4 * kGi, std::chrono::hours(24));
  ASSERT_FALSE(reconcile_engine().error);
  ASSERT_TRUE(usage_.usage(key));
  EXPECT_EQ(usage_.usage(key)->memory_interval_oom_bytes(), need);
}

TEST_F(ReconcilerTest, ACheckpointIsRestoredOnceAfterAStart) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  policies::ContainerStatus c;
  c.name = "engine";
  c.checkpoint = policies::encode_checkpoint_text(learned(now(), 300, 200 * kMi, 90));
  r.status.containers.push_back(c);
  view_.put(r);
  ASSERT_FALSE(reconcile_engine().error);
  const UsageKey key{engine().ref, "engine"};
  ASSERT_TRUE(usage_.usage(key));
  EXPECT_EQ(usage_.usage(key)->samples(), 90);
  EXPECT_TRUE(events_.empty() || events_[0].reason != "RightsizeCheckpointCorrupt");
  // A second reconcile does not merge the same checkpoint again.
  ASSERT_FALSE(reconcile_engine().error);
  EXPECT_EQ(usage_.usage(key)->samples(), 90);
}

TEST_F(ReconcilerTest, ACorruptCheckpointIsAWarningAndLearningStartsAgain) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  policies::ContainerStatus c;
  c.name = "engine";
  auto text = policies::encode_checkpoint_text(learned(now()));
  text[10] = text[10] == 'A' ? 'B' : 'A';
  c.checkpoint = text;
  r.status.containers.push_back(c);
  view_.put(r);
  ASSERT_FALSE(reconcile_engine().error);
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_[0].reason, "RightsizeCheckpointCorrupt");
  EXPECT_EQ(events_[0].type, k8s::EventType::Warning);
  EXPECT_EQ(events_[0].object.name, "engine");
  const UsageKey key{engine().ref, "engine"};
  EXPECT_TRUE(usage_.restored(key));
  EXPECT_FALSE(usage_.usage(key));
  // Said once per container and process, not on every reconcile.
  ASSERT_FALSE(reconcile_engine().error);
  EXPECT_EQ(std::ranges::count(events_, std::string("RightsizeCheckpointCorrupt"),
                               &RecordedEvent::reason),
            1);
  // The corrupt checkpoint is not written back.
  const auto body = json::parse(requests().back().request.body);
  EXPECT_FALSE(body["status"]["containers"][0].contains("checkpoint"));
}

TEST_F(ReconcilerTest, CheckpointsAloneAreWrittenAtMostEveryInterval) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  reconcile_and_cache();
  const auto before = requests().size();
  // The interval plus this workload's share of the jitter (more than a
  // second of it: the burst of a start is spread).
  const auto delay = checkpoint_delay(engine().ref.key(), options_.checkpoint_interval,
                                      options_.checkpoint_jitter);
  ASSERT_GT(delay, options_.checkpoint_interval + std::chrono::seconds(1));
  clock_.advance(std::chrono::minutes(2));
  usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_EQ(requests().size(), before);
  clock_.advance(delay - std::chrono::minutes(2) - std::chrono::seconds(1));
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_EQ(requests().size(), before);
  clock_.advance(std::chrono::seconds(1));
  usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  EXPECT_EQ(reconcile_engine().writes, 1);
  ASSERT_EQ(requests().size(), before + 1);
  const auto body = json::parse(requests().back().request.body);
  EXPECT_EQ(body["status"]["containers"][0]["usage"]["samples"], 122);
}

TEST_F(ReconcilerTest, ACheckpointThatDidNotChangeIsNotRewrittenWhenDue) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  reconcile_and_cache();
  const auto before = requests().size();
  clock_.advance(std::chrono::minutes(6));
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_EQ(requests().size(), before);
}

TEST_F(ReconcilerTest, FlushLearningWritesCheckpointsBeforeTheInterval) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  reconcile_and_cache();
  const auto before = requests().size();
  clock_.advance(std::chrono::minutes(2));
  usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  ASSERT_EQ(reconcile_engine().writes, 0);  // not due yet
  const auto out = reconciler().flush_learning({});
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(out.writes, 1);
  ASSERT_EQ(requests().size(), before + 1);
  EXPECT_EQ(requests().back().request.path, kStatus);
  const auto body = json::parse(requests().back().request.body);
  const auto checkpoint = body["status"]["containers"][0]["checkpoint"].get<std::string>();
  auto decoded = policies::decode_checkpoint_text(checkpoint, std::chrono::hours(24));
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->samples(), 121);
  // Written learning is not flushed twice.
  view_.put(stored(body, "43"));
  EXPECT_EQ(reconciler().flush_learning({}).writes, 0);
  EXPECT_EQ(requests().size(), before + 1);
}

TEST_F(ReconcilerTest, FlushLearningNeverOverwritesACheckpointNotYetRestored) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  policies::ContainerStatus c;
  c.name = "engine";
  c.checkpoint = policies::encode_checkpoint_text(learned(now(), 300, 200 * kMi, 90));
  r.status.containers.push_back(c);
  view_.put(r);
  learn(5);
  const auto out = reconciler().flush_learning({});
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, FlushLearningCreatesNothingAndSkipsUnannotatedWorkloads) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  EXPECT_EQ(reconciler().flush_learning({}).writes, 0);  // no Rightsizing cached
  reconcile_and_cache();
  const auto before = requests().size();
  clock_.advance(std::chrono::minutes(1));
  usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  auto w = engine();
  w.policy.reset();
  view_.put(w);
  EXPECT_EQ(reconciler().flush_learning({}).writes, 0);
  EXPECT_EQ(requests().size(), before);
}

TEST_F(ReconcilerTest, RestoreAllRestoresCachedCheckpointsWithoutWriting) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  policies::ContainerStatus c;
  c.name = "engine";
  c.checkpoint = policies::encode_checkpoint_text(learned(now(), 300, 200 * kMi, 90));
  r.status.containers.push_back(c);
  view_.put(r);
  reconciler().restore_all();
  const UsageKey key{engine().ref, "engine"};
  EXPECT_TRUE(requests().empty());
  EXPECT_TRUE(usage_.restored(key));
  ASSERT_TRUE(usage_.usage(key));
  EXPECT_EQ(usage_.usage(key)->samples(), 90);
  // The reconcile after it does not merge the checkpoint a second time.
  ASSERT_FALSE(reconcile_engine().error);
  EXPECT_EQ(usage_.usage(key)->samples(), 90);
}

TEST_F(ReconcilerTest, ARestartedProcessWritesNothingBeforeItHasNews) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  usage_.record_success("trading", now());
  reconcile_and_cache();  // the previous leader's last write (its flush)
  const auto before = requests().size();
  // A new process: nothing learnt, its namespaces not listed yet. The
  // restored learning and a health it does not know yet are no news: a
  // MetricsAvailable=Unknown written here would flip back a pass later, and
  // the learning written with it would not be due again for an interval.
  UsageStore fresh;
  Reconciler next(view_, fresh, client_, nullptr, clock_, options_);
  clock_.advance(std::chrono::seconds(5));
  next.restore_all();
  const auto out = next.reconcile_workload(engine().ref, {});
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(out.writes, 0);
  EXPECT_EQ(requests().size(), before);
  // Its first pass: a newer sample, and it is written at once.
  fresh.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  fresh.record_success("trading", now());
  EXPECT_EQ(next.reconcile_workload(engine().ref, {}).writes, 1);
  ASSERT_EQ(requests().size(), before + 1);
  const auto body = json::parse(requests().back().request.body);
  EXPECT_EQ(body["status"]["containers"][0]["usage"]["samples"], 121);
}

TEST_F(ReconcilerTest, RestoreAllMarksNothingWithoutACachedRightsizing) {
  view_.put(engine());
  view_.put(trading_policy());
  reconciler().restore_all();
  EXPECT_FALSE(usage_.restored({engine().ref, "engine"}));
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, AnyOtherChangeWritesTheCheckpointAtOnce) {
  view_.put(engine());
  view_.put(trading_policy());
  learn();
  reconcile_and_cache();
  clock_.advance(std::chrono::minutes(1));
  usage_.add_sample({engine().ref, "engine"}, false, now(), 300, 200 * kMi, std::chrono::hours(24));
  auto w = engine();
  w.replicas = 3;
  view_.put(w);
  EXPECT_EQ(reconcile_engine().writes, 1);
  const auto body = json::parse(requests().back().request.body);
  EXPECT_EQ(body["status"]["replicas"], 3);
  EXPECT_EQ(body["status"]["containers"][0]["usage"]["samples"], 121);
}

TEST_F(ReconcilerTest, AChangedPolicyAnnotationRelabelsTheRightsizing) {
  auto w = engine();
  view_.put(w);
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  r.policy_label = "old";
  r.policy_ref = "old";
  view_.put(r);
  transport_->push(answer(200, {{"metadata", {{"resourceVersion", "80"}}}}));
  const auto out = reconcile_engine();
  ASSERT_FALSE(out.error);
  const auto reqs = requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].request.method, Method::Patch);
  EXPECT_EQ(reqs[0].request.path, kObject);
  EXPECT_EQ(json::parse(reqs[0].request.body),
            json::parse(R"({"metadata": {"labels": {"rightsizer.io/policy": "trading"}},
                            "spec": {"policyRef": {"name": "trading"}}})"));
  EXPECT_EQ(reqs[1].request.path, kStatus);
  EXPECT_EQ(json::parse(reqs[1].request.body)["metadata"]["resourceVersion"], "80");
  EXPECT_EQ(out.writes, 2);
}

TEST_F(ReconcilerTest, AMissingPolicyLabelIsPutBack) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  r.policy_label.reset();
  view_.put(r);
  ASSERT_FALSE(reconcile_engine().error);
  ASSERT_FALSE(requests().empty());
  EXPECT_EQ(requests()[0].request.method, Method::Patch);
}

TEST_F(ReconcilerTest, AStoredStatusThatDidNotParseIsRewrittenFromScratch) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  r.status.phase = policies::RightsizingPhase::Recommended;
  r.status.history.push_back({now(), std::nullopt, "Recommended", "EveryContainerRecommended"});
  r.status_error = "status.phase: not one of the phases";
  view_.put(r);
  ASSERT_FALSE(reconcile_engine().error);
  const auto status = json::parse(requests().back().request.body)["status"];
  EXPECT_EQ(status["phase"], "Observing");
  ASSERT_EQ(status["history"].size(), 1u);
  EXPECT_FALSE(status["history"][0].contains("from"));
}

TEST_F(ReconcilerTest, ARightsizingBeingDeletedIsLeftAlone) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  r.deleting = true;
  view_.put(r);
  const auto out = reconcile_engine();
  EXPECT_EQ(out.writes, 0);
  EXPECT_TRUE(out.requeue_after);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, ARightsizingOfAnotherTargetIsNotWritten) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  r.target.reset();
  view_.put(r);
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, AFailedCreateIsAnErrorAndNoStatusIsWritten) {
  view_.put(engine());
  view_.put(trading_policy());
  transport_->push(answer(500, {{"kind", "Status"}, {"reason", "InternalError"}, {"code", 500}}));
  const auto out = reconcile_engine();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, k8s::ErrorKind::ServerError);
  EXPECT_EQ(requests().size(), 1u);
  EXPECT_FALSE(usage_.restored({engine().ref, "engine"}));
}

json already_exists() {
  return {{"kind", "Status"}, {"reason", "AlreadyExists"}, {"code", 409}};
}

TEST_F(ReconcilerTest, ACreateThatFindsTheObjectThereIsRequeuedSoonWithoutError) {
  view_.put(engine());
  view_.put(trading_policy());
  learn(5);
  transport_->push(answer(409, already_exists()));
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.requeue_after, options_.cache_lag_requeue);
  EXPECT_LT(options_.cache_lag_requeue, options_.resync);
  EXPECT_EQ(out.writes, 1);
  EXPECT_EQ(requests().size(), 1u);  // no status onto an object not seen
  EXPECT_FALSE(usage_.restored({engine().ref, "engine"}));
}

TEST_F(ReconcilerTest, ACheckpointTheCacheDidNotHaveYetIsRestoredAfterAlreadyExists) {
  view_.put(engine());
  view_.put(trading_policy());
  learn(5);
  transport_->push(answer(409, already_exists()));
  ASSERT_FALSE(reconcile_engine().error);
  // The watch delivers the object with the previous leader's checkpoint.
  auto r = empty_rightsizing();
  policies::ContainerStatus c;
  c.name = "engine";
  c.checkpoint =
      policies::encode_checkpoint_text(learned(now() - std::chrono::hours(3), 300, 200 * kMi, 90));
  r.status.containers.push_back(c);
  view_.put(r);
  ASSERT_FALSE(reconcile_engine().error);
  const UsageKey key{engine().ref, "engine"};
  ASSERT_TRUE(usage_.usage(key));
  EXPECT_EQ(usage_.usage(key)->samples(), 95);
  const auto body = json::parse(requests().back().request.body);
  ASSERT_EQ(requests().back().request.path, kStatus);
  auto decoded = policies::decode_checkpoint_text(
      body["status"]["containers"][0]["checkpoint"].get<std::string>(), std::chrono::hours(24));
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->samples(), 95);
}

TEST_F(ReconcilerTest, ARightsizingOfAnEarlierWorkloadOfTheNameIsNeitherWrittenNorRestored) {
  view_.put(engine());
  view_.put(trading_policy());
  auto r = empty_rightsizing();
  r.owners = {{"apps/v1", "Deployment", "engine", "uid-engine-before", true}};
  policies::ContainerStatus c;
  c.name = "engine";
  c.checkpoint = policies::encode_checkpoint_text(learned(now(), 300, 200 * kMi, 90));
  r.status.containers.push_back(c);
  view_.put(r);
  learn(5);
  const UsageKey key{engine().ref, "engine"};
  reconciler().restore_all();
  EXPECT_FALSE(usage_.restored(key));
  const auto out = reconcile_engine();
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.writes, 0);
  EXPECT_TRUE(out.requeue_after);
  EXPECT_FALSE(usage_.restored(key));
  EXPECT_EQ(usage_.usage(key)->samples(), 5);
  EXPECT_EQ(reconciler().flush_learning({}).writes, 0);
  EXPECT_TRUE(requests().empty());
}

TEST_F(ReconcilerTest, MetricsOutageIsAConditionNeverZeros) {
  view_.put(engine());
  view_.put(trading_policy());
  view_.put(empty_rightsizing());
  usage_.record_failure("trading", now(), "metrics.k8s.io unavailable: 503");
  ASSERT_FALSE(reconcile_engine().error);
  const auto status = json::parse(requests().back().request.body)["status"];
  bool seen = false;
  for (const auto& c : status["conditions"]) {
    if (c["type"] != "MetricsAvailable") continue;
    seen = true;
    EXPECT_EQ(c["status"], "False");
    EXPECT_EQ(c["reason"], "MetricsUnavailable");
    EXPECT_EQ(c["message"], "metrics.k8s.io unavailable: 503");
  }
  EXPECT_TRUE(seen);
  EXPECT_FALSE(status["containers"][0].contains("usage"));
}

TEST_F(ReconcilerTest, AnOutageWhoseErrorTextChangesIsNotRewritten) {
  view_.put(engine());
  view_.put(trading_policy());
  view_.put(empty_rightsizing());
  usage_.record_failure("trading", now(), "ServiceUnavailable (HTTP 503): metrics.k8s.io");
  reconcile_and_cache();
  const auto before = requests().size();
  usage_.record_failure("trading", now(), "Timeout: metrics.k8s.io: timed out");
  EXPECT_EQ(reconcile_engine().writes, 0);
  EXPECT_EQ(requests().size(), before);
  // Back to healthy, then a new outage: its own message.
  usage_.record_success("trading", now());
  reconcile_and_cache();
  usage_.record_failure("trading", now(), "Transport: connection refused");
  reconcile_and_cache();
  const auto status = json::parse(requests().back().request.body)["status"];
  bool seen = false;
  for (const auto& c : status["conditions"]) {
    if (c["type"] == "MetricsAvailable") {
      EXPECT_EQ(c["message"], "Transport: connection refused");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace controller
