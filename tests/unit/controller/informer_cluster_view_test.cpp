// The informer-backed ClusterView and the keys notifications enqueue, with
// informers fed through Informer::handle() (no thread, no server). The
// projectors here read only what the tests set, so the owner chain is tested
// apart from cluster_objects.cpp.
#include "controller/informer_cluster_view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "controller/cluster_informers.h"
#include "controller/event_keys.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "tests/unit/controller/fake_cluster_view.h"

namespace controller {
namespace {

using nlohmann::json;

// The first owner reference, with its controller flag as written: the view
// must itself ignore references that are not the controller.
std::optional<OwnerRef> controller_of(const json& o) {
  for (const auto& r : o["metadata"].value("ownerReferences", json::array())) {
    return OwnerRef{r.value("apiVersion", ""), r.value("kind", ""), r.value("name", ""),
                    r.value("uid", ""), r.value("controller", false)};
  }
  return std::nullopt;
}

Workload workload_of(WorkloadKind kind, const json& o) {
  Workload w;
  w.ref = {kind, o["metadata"].value("namespace", ""), o["metadata"].value("name", "")};
  w.uid = o["metadata"].value("uid", "");
  w.controller = controller_of(o);
  auto annotations = o["metadata"].value("annotations", json::object());
  if (annotations.contains(kPolicyAnnotation)) w.policy = annotations[kPolicyAnnotation];
  const json labels = o.value("/spec/template/metadata/labels"_json_pointer, json::object());
  for (const auto& [k, v] : labels.items()) w.template_labels.emplace(k, v);
  return w;
}

ClusterProjectors test_projectors() {
  ClusterProjectors p;
  p.policies.project = [](const json& o) {
    PolicyObject v;
    v.namespace_name = o["metadata"].value("namespace", "");
    v.name = o["metadata"].value("name", "");
    return v;
  };
  p.rightsizings.project = [](const json& o) {
    RightsizingObject v;
    v.namespace_name = o["metadata"].value("namespace", "");
    v.name = o["metadata"].value("name", "");
    v.uid = o["metadata"].value("uid", "");
    v.policy_ref = o.value("/spec/policyRef/name"_json_pointer, "");
    auto kind = parse_workload_kind(o.value("/spec/targetRef/kind"_json_pointer, ""));
    if (kind) v.target = WorkloadRef{*kind, v.namespace_name, o["spec"]["targetRef"]["name"]};
    return v;
  };
  p.deployments.project = [](const json& o) { return workload_of(WorkloadKind::Deployment, o); };
  p.stateful_sets.project = [](const json& o) { return workload_of(WorkloadKind::StatefulSet, o); };
  p.replica_sets.project = [](const json& o) {
    return ReplicaSetInfo{o["metadata"].value("namespace", ""), o["metadata"].value("name", ""),
                          o["metadata"].value("uid", ""), controller_of(o)};
  };
  p.pods.project = [](const json& o) {
    PodInfo v;
    v.namespace_name = o["metadata"].value("namespace", "");
    v.name = o["metadata"].value("name", "");
    v.uid = o["metadata"].value("uid", "");
    v.controller = controller_of(o);
    v.ready = o.value("/status/ready"_json_pointer, false);
    v.deleting = o["metadata"].contains("deletionTimestamp");
    for (const auto& s : o.value("/status/containerStatuses"_json_pointer, json::array())) {
      PodContainer c;
      c.name = s.value("name", "");
      c.restart_count = s.value("restartCount", 0);
      c.last_termination_reason = s.value("/lastState/terminated/reason"_json_pointer, "");
      v.containers.push_back(c);
    }
    return v;
  };
  p.hpas.project = [](const json& o) {
    HpaInfo v;
    v.namespace_name = o["metadata"].value("namespace", "");
    v.name = o["metadata"].value("name", "");
    v.target_kind = o["spec"]["scaleTargetRef"].value("kind", "");
    v.target_name = o["spec"]["scaleTargetRef"].value("name", "");
    return v;
  };
  p.pdbs.project = [](const json& o) {
    PdbInfo v;
    v.namespace_name = o["metadata"].value("namespace", "");
    v.name = o["metadata"].value("name", "");
    v.has_selector = true;
    const json labels = o.value("/spec/matchLabels"_json_pointer, json::object());
    for (const auto& [k, l] : labels.items()) v.match_labels.emplace(k, l);
    v.disruptions_allowed = o.value("/status/disruptionsAllowed"_json_pointer, 0);
    return v;
  };
  return p;
}

json object(const std::string& ns, const std::string& name, const std::string& uid,
            json owners = json::array()) {
  return {
      {"metadata", {{"namespace", ns}, {"name", name}, {"uid", uid}, {"ownerReferences", owners}}}};
}

json owned_by(const std::string& kind, const std::string& name, const std::string& uid,
              bool is_controller = true) {
  return json::array({{{"apiVersion", "apps/v1"},
                       {"kind", kind},
                       {"name", name},
                       {"uid", uid},
                       {"controller", is_controller}}});
}

template <class T>
void apply(k8s::Informer<T>& informer, json obj) {
  informer.handle({k8s::WatcherEventKind::Apply, {std::move(obj)}});
}

class InformerClusterViewTest : public ::testing::Test {
 protected:
  k8s::testing::FakeClock clock_;
  k8s::testing::FixedRandom random_;
  k8s::ApiClient client_{std::make_shared<k8s::testing::FakeTransport>(), nullptr, clock_, random_};
  ClusterInformers informers_{client_, test_projectors()};
  InformerClusterView view_{informers_.stores()};

  void SetUp() override {
    auto web = object("shop", "web", "d-1");
    web["metadata"]["annotations"] = {{kPolicyAnnotation, "standard"}};
    apply(informers_.deployments, web);
    apply(informers_.replica_sets,
          object("shop", "web-7f", "rs-1", owned_by("Deployment", "web", "d-1")));
    apply(informers_.pods,
          object("shop", "web-7f-a", "p-1", owned_by("ReplicaSet", "web-7f", "rs-1")));
    apply(informers_.pods,
          object("shop", "web-7f-b", "p-2", owned_by("ReplicaSet", "web-7f", "rs-1")));
    apply(informers_.stateful_sets, object("shop", "db", "s-1"));
    apply(informers_.pods, object("shop", "db-0", "p-3", owned_by("StatefulSet", "db", "s-1")));
  }

  static std::vector<std::string> names(const std::vector<std::shared_ptr<const PodInfo>>& pods) {
    std::vector<std::string> out;
    for (const auto& p : pods) out.push_back(p->name);
    std::ranges::sort(out);
    return out;
  }
};

TEST_F(InformerClusterViewTest, PodsOfADeploymentGoThroughItsReplicaSetsByUid) {
  auto web = view_.workload({WorkloadKind::Deployment, "shop", "web"});
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(names(view_.pods_of(*web)), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  auto pod = view_.pod("shop", "web-7f-a");
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(view_.owner_of(*pod), (WorkloadRef{WorkloadKind::Deployment, "shop", "web"}));
}

TEST_F(InformerClusterViewTest, PodsOfAStatefulSetAreItsOwn) {
  auto db = view_.workload({WorkloadKind::StatefulSet, "shop", "db"});
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(names(view_.pods_of(*db)), (std::vector<std::string>{"db-0"}));
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "db-0")),
            (WorkloadRef{WorkloadKind::StatefulSet, "shop", "db"}));
  // A Deployment of the same name is another workload.
  EXPECT_EQ(view_.workload({WorkloadKind::Deployment, "shop", "db"}), nullptr);
}

TEST_F(InformerClusterViewTest, ANameReusedByANewerObjectIsNotTheOwner) {
  // The Deployment was re-created: same name, new uid. Its old ReplicaSet and
  // pods name the old uid and belong to nothing.
  apply(informers_.deployments, object("shop", "web", "d-2"));
  auto web = view_.workload({WorkloadKind::Deployment, "shop", "web"});
  EXPECT_TRUE(view_.pods_of(*web).empty());
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "web-7f-a")), std::nullopt);
  // Likewise a pod naming a ReplicaSet by a stale uid.
  apply(informers_.pods,
        object("shop", "web-7f-c", "p-4", owned_by("ReplicaSet", "web-7f", "rs-0")));
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "web-7f-c")), std::nullopt);
}

TEST_F(InformerClusterViewTest, AStaleOwnerUidAtAnyLinkBelongsToNothing) {
  // The ReplicaSet and StatefulSet exist under these names, but with other uids.
  apply(informers_.pods,
        object("shop", "web-7f-old", "p-6", owned_by("ReplicaSet", "web-7f", "rs-0")));
  apply(informers_.pods, object("shop", "db-1", "p-7", owned_by("StatefulSet", "db", "s-0")));
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "web-7f-old")), std::nullopt);
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "db-1")), std::nullopt);
  EXPECT_EQ(names(view_.pods_of(*view_.workload({WorkloadKind::StatefulSet, "shop", "db"}))),
            (std::vector<std::string>{"db-0"}));
}

TEST_F(InformerClusterViewTest, OnlyControllerReferencesCount) {
  apply(informers_.pods,
        object("shop", "stray", "p-5", owned_by("ReplicaSet", "web-7f", "rs-1", false)));
  apply(informers_.pods,
        object("shop", "stray-0", "p-8", owned_by("StatefulSet", "db", "s-1", false)));
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "stray")), std::nullopt);
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "stray-0")), std::nullopt);
  EXPECT_EQ(names(view_.pods_of(*view_.workload({WorkloadKind::StatefulSet, "shop", "db"}))),
            (std::vector<std::string>{"db-0"}));
  auto web = view_.workload({WorkloadKind::Deployment, "shop", "web"});
  EXPECT_EQ(names(view_.pods_of(*web)), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  // A ReplicaSet controlled by something other than a Deployment.
  apply(informers_.replica_sets,
        object("shop", "web-7f", "rs-1", owned_by("Rollout", "web", "d-1")));
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "web-7f-a")), std::nullopt);
  EXPECT_TRUE(view_.pods_of(*web).empty());
}

TEST_F(InformerClusterViewTest, ADeletedReplicaSetCutsTheChain) {
  informers_.replica_sets.handle(
      {k8s::WatcherEventKind::Delete, {object("shop", "web-7f", "rs-1")}});
  EXPECT_EQ(view_.owner_of(*view_.pod("shop", "web-7f-a")), std::nullopt);
  EXPECT_TRUE(view_.pods_of(*view_.workload({WorkloadKind::Deployment, "shop", "web"})).empty());
}

TEST_F(InformerClusterViewTest, NamespacedListsStayInTheirNamespace) {
  apply(informers_.deployments, object("other", "web", "d-9"));
  apply(informers_.hpas,
        {{"metadata", {{"namespace", "shop"}, {"name", "h"}}},
         {"spec", {{"scaleTargetRef", {{"kind", "Deployment"}, {"name", "web"}}}}}});
  apply(informers_.policies, object("shop", "standard", "pol-1"));
  EXPECT_EQ(view_.workloads().size(), 3u);
  EXPECT_EQ(view_.workloads_in("shop").size(), 2u);
  EXPECT_EQ(view_.workloads_in("other").size(), 1u);
  EXPECT_EQ(view_.hpas_in("shop").size(), 1u);
  EXPECT_TRUE(view_.hpas_in("other").empty());
  EXPECT_NE(view_.policy("shop", "standard"), nullptr);
  EXPECT_EQ(view_.policy("other", "standard"), nullptr);
  EXPECT_EQ(view_.policies().size(), 1u);
}

// A Deployment's canary: the Rightsizing "deployment-web" targets web and
// controls the canary Deployment, whose ReplicaSet controls the canary pod.
class CanaryPodsTest : public InformerClusterViewTest {
 protected:
  void SetUp() override {
    InformerClusterViewTest::SetUp();
    apply(informers_.rightsizings, rightsizing("deployment-web", "rsz-1", "Deployment", "web"));
    apply(informers_.deployments, object("shop", "web-rightsizer-canary", "d-c",
                                         owned_by("Rightsizing", "deployment-web", "rsz-1")));
    apply(informers_.replica_sets, object("shop", "web-rightsizer-canary-5c", "rs-c",
                                          owned_by("Deployment", "web-rightsizer-canary", "d-c")));
    apply(informers_.pods, object("shop", "web-rightsizer-canary-5c-x", "p-c",
                                  owned_by("ReplicaSet", "web-rightsizer-canary-5c", "rs-c")));
  }

  static json rightsizing(const std::string& name, const std::string& uid, const std::string& kind,
                          const std::string& target) {
    auto r = object("shop", name, uid);
    r["spec"] = {{"policyRef", {{"name", "standard"}}},
                 {"targetRef", {{"apiVersion", "apps/v1"}, {"kind", kind}, {"name", target}}}};
    return r;
  }

  std::vector<std::string> web_pods() const {
    return names(view_.pods_of(*view_.workload({WorkloadKind::Deployment, "shop", "web"})));
  }
  std::optional<WorkloadRef> canary_owner() const {
    return view_.owner_of(*view_.pod("shop", "web-rightsizer-canary-5c-x"));
  }
};

TEST_F(CanaryPodsTest, CountAsTheTargetDeployments) {
  EXPECT_EQ(web_pods(),
            (std::vector<std::string>{"web-7f-a", "web-7f-b", "web-rightsizer-canary-5c-x"}));
  EXPECT_EQ(canary_owner(), (WorkloadRef{WorkloadKind::Deployment, "shop", "web"}));
  // The canary Deployment's own pods are still its own.
  auto canary = view_.workload({WorkloadKind::Deployment, "shop", "web-rightsizer-canary"});
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(names(view_.pods_of(*canary)),
            (std::vector<std::string>{"web-rightsizer-canary-5c-x"}));
}

TEST_F(CanaryPodsTest, ARecreatedRightsizingDoesNotOwnTheOldCanary) {
  apply(informers_.rightsizings, rightsizing("deployment-web", "rsz-2", "Deployment", "web"));
  EXPECT_EQ(web_pods(), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  EXPECT_EQ(canary_owner(), std::nullopt);
}

TEST_F(CanaryPodsTest, WithoutItsRightsizingTheCanaryBelongsToNothing) {
  informers_.rightsizings.handle(
      {k8s::WatcherEventKind::Delete, {object("shop", "deployment-web", "rsz-1")}});
  EXPECT_EQ(web_pods(), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  EXPECT_EQ(canary_owner(), std::nullopt);
}

TEST_F(CanaryPodsTest, OnlyTheTargetsOwnRightsizingOfADeploymentCounts) {
  // The Rightsizing of that name targets another workload.
  apply(informers_.rightsizings, rightsizing("deployment-web", "rsz-1", "Deployment", "api"));
  EXPECT_EQ(web_pods(), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  EXPECT_EQ(canary_owner(), std::nullopt);
  // A StatefulSet has no canary Deployment.
  apply(informers_.rightsizings, rightsizing("deployment-web", "rsz-1", "StatefulSet", "web"));
  EXPECT_EQ(canary_owner(), std::nullopt);
}

TEST_F(CanaryPodsTest, ADeploymentControlledByAnythingElseIsItsOwnWorkload) {
  apply(informers_.deployments, object("shop", "web-rightsizer-canary", "d-c",
                                       owned_by("Rollout", "deployment-web", "rsz-1")));
  EXPECT_EQ(web_pods(), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  EXPECT_EQ(canary_owner(),
            (WorkloadRef{WorkloadKind::Deployment, "shop", "web-rightsizer-canary"}));
  // Nor does a Rightsizing reference that is not the controller count.
  apply(informers_.deployments,
        object("shop", "web-rightsizer-canary", "d-c",
               owned_by("Rightsizing", "deployment-web", "rsz-1", /*is_controller=*/false)));
  EXPECT_EQ(web_pods(), (std::vector<std::string>{"web-7f-a", "web-7f-b"}));
  EXPECT_EQ(canary_owner(),
            (WorkloadRef{WorkloadKind::Deployment, "shop", "web-rightsizer-canary"}));
}

TEST_F(InformerClusterViewTest, PdbsOfANamespaceAsTheirInformerHoldsThem) {
  EXPECT_TRUE(view_.pdbs_in("shop").empty());
  apply(informers_.pdbs, {{"metadata", {{"namespace", "shop"}, {"name", "web"}}},
                          {"status", {{"disruptionsAllowed", 0}}}});
  apply(informers_.pdbs, {{"metadata", {{"namespace", "shop"}, {"name", "db"}}}});
  apply(informers_.pdbs, {{"metadata", {{"namespace", "other"}, {"name", "web"}}}});
  EXPECT_EQ(view_.pdbs_in("shop").size(), 2u);
  ASSERT_EQ(view_.pdbs_in("other").size(), 1u);
  EXPECT_EQ(view_.pdbs_in("other")[0]->name, "web");
  // An update replaces the cached PDB; a delete removes it.
  apply(informers_.pdbs, {{"metadata", {{"namespace", "other"}, {"name", "web"}}},
                          {"status", {{"disruptionsAllowed", 2}}}});
  EXPECT_EQ(view_.pdbs_in("other").at(0)->disruptions_allowed, 2);
  informers_.pdbs.handle(
      {k8s::WatcherEventKind::Delete, {{{"metadata", {{"namespace", "other"}, {"name", "web"}}}}}});
  EXPECT_TRUE(view_.pdbs_in("other").empty());
}

TEST_F(InformerClusterViewTest, HandlersEnqueueTheKeysOfEachNotification) {
  std::vector<std::string> keys;
  // Informers of their own, so handlers are added before any event. Their
  // handler threads run without start(): no watch is opened.
  ClusterInformers informers{client_, test_projectors()};
  InformerClusterView view{informers.stores()};
  std::mutex mu;
  informers.connect(view, [&](const std::string& k) {
    std::lock_guard lock(mu);
    keys.push_back(k);
  });
  auto web = object("shop", "web", "d-1");
  web["metadata"]["annotations"] = {{kPolicyAnnotation, "standard"}};
  apply(informers.deployments, web);
  apply(informers.replica_sets,
        object("shop", "web-7f", "rs-1", owned_by("Deployment", "web", "d-1")));
  auto pod = object("shop", "web-7f-a", "p-1", owned_by("ReplicaSet", "web-7f", "rs-1"));
  pod["status"]["containerStatuses"] = {{{"name", "app"}, {"restartCount", 0}}};
  apply(informers.pods, pod);
  apply(informers.pods, pod);  // an update that changes no restart: nothing
  pod["status"]["containerStatuses"][0]["restartCount"] = 1;
  pod["status"]["containerStatuses"][0]["lastState"] = {{"terminated", {{"reason", "OOMKilled"}}}};
  apply(informers.pods, pod);
  ASSERT_TRUE(informers.pods.wait_for_handlers(std::chrono::seconds(10)));
  ASSERT_TRUE(informers.deployments.wait_for_handlers(std::chrono::seconds(10)));
  // Each informer's handlers run on threads of their own: no order between them.
  std::ranges::sort(keys);
  EXPECT_EQ(keys, (std::vector<std::string>{"Deployment/shop/web", "Deployment/shop/web",
                                            "RightsizePolicy/shop/standard"}));
}

TEST_F(InformerClusterViewTest, PdbsAndPodReadinessWakeTheWorkload) {
  std::vector<std::string> keys;
  ClusterInformers informers{client_, test_projectors()};
  InformerClusterView view{informers.stores()};
  std::mutex mu;
  informers.connect(view, [&](const std::string& k) {
    std::lock_guard lock(mu);
    keys.push_back(k);
  });
  auto web = object("shop", "web", "d-1");
  web["metadata"]["annotations"] = {{kPolicyAnnotation, "standard"}};
  web["spec"]["template"]["metadata"]["labels"] = {{"app", "web"}};
  apply(informers.deployments, web);
  apply(informers.replica_sets,
        object("shop", "web-7f", "rs-1", owned_by("Deployment", "web", "d-1")));
  ASSERT_TRUE(informers.deployments.wait_for_handlers(std::chrono::seconds(10)));
  keys.clear();

  auto pod = object("shop", "web-7f-a", "p-1", owned_by("ReplicaSet", "web-7f", "rs-1"));
  apply(informers.pods, pod);
  pod["status"]["ready"] = true;
  apply(informers.pods, pod);
  pod["metadata"]["deletionTimestamp"] = "2026-11-02T09:00:00Z";
  apply(informers.pods, pod);
  apply(informers.pdbs, {{"metadata", {{"namespace", "shop"}, {"name", "web"}}},
                         {"spec", {{"matchLabels", {{"app", "web"}}}}}});
  apply(informers.pdbs, {{"metadata", {{"namespace", "shop"}, {"name", "other"}}},
                         {"spec", {{"matchLabels", {{"app", "db"}}}}}});
  ASSERT_TRUE(informers.pods.wait_for_handlers(std::chrono::seconds(10)));
  ASSERT_TRUE(informers.pdbs.wait_for_handlers(std::chrono::seconds(10)));
  std::ranges::sort(keys);
  EXPECT_EQ(keys, (std::vector<std::string>{"Deployment/shop/web", "Deployment/shop/web",
                                            "Deployment/shop/web"}));
}

// Every cache lists in pages of 100 (client-go's are 500): a page's body
// and DOM are the operator's largest transient allocation.
TEST(ClusterInformersTest, EveryCacheListsInPagesOfAHundred) {
  k8s::testing::FakeClock clock;
  k8s::testing::FixedRandom random;
  auto transport = std::make_shared<k8s::testing::FakeTransport>();
  transport->set_handler([](const k8s::Request&) -> k8s::Result<k8s::HttpResponse> {
    return k8s::HttpResponse{200, {}, R"({"metadata":{"resourceVersion":"1"},"items":[]})"};
  });
  transport->hang_when_unscripted();  // the watches wait until stopped
  k8s::ApiClient client{transport, nullptr, clock, random};
  ClusterInformers informers{client, cluster_projectors()};
  informers.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!informers.synced() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  informers.stop();
  ASSERT_TRUE(informers.synced());
  int lists = 0;
  for (const auto& r : transport->requests()) {
    if (r.request.query_value("watch")) continue;
    ++lists;
    const std::string* limit = r.request.query_value("limit");
    EXPECT_TRUE(limit && *limit == "100") << r.request.target();
  }
  EXPECT_EQ(lists, 8);
}

TEST(EventKeysTest, PolicyWakesTheWorkloadsNamingIt) {
  k8s::testing::FakeClock clock;
  k8s::testing::FixedRandom random;
  k8s::ApiClient client{std::make_shared<k8s::testing::FakeTransport>(), nullptr, clock, random};
  ClusterInformers informers{client, test_projectors()};
  InformerClusterView view{informers.stores()};
  auto a = object("shop", "a", "d-1");
  a["metadata"]["annotations"] = {{kPolicyAnnotation, "standard"}};
  auto b = object("shop", "b", "d-2");
  b["metadata"]["annotations"] = {{kPolicyAnnotation, "other"}};
  auto c = object("elsewhere", "c", "d-3");
  c["metadata"]["annotations"] = {{kPolicyAnnotation, "standard"}};
  for (auto& o : {a, b, c}) apply(informers.deployments, o);
  PolicyObject p;
  p.namespace_name = "shop";
  p.name = "standard";
  EXPECT_EQ(keys_for_policy(p, view), (Keys{"RightsizePolicy/shop/standard", "Deployment/shop/a"}));
}

TEST(EventKeysTest, AWorkloadLeavingAPolicyRecountsBoth) {
  Workload old;
  old.ref = {WorkloadKind::Deployment, "shop", "web"};
  old.policy = "a";
  Workload now = old;
  now.policy = "b";
  EXPECT_EQ(keys_for_workload_change(old, now),
            (Keys{"Deployment/shop/web", "RightsizePolicy/shop/b", "RightsizePolicy/shop/a"}));
  now.policy.reset();
  EXPECT_EQ(keys_for_workload(now), (Keys{"Deployment/shop/web"}));
}

TEST(EventKeysTest, RightsizingAndHpaWakeTheirTarget) {
  RightsizingObject r;
  r.namespace_name = "shop";
  r.policy_ref = "standard";
  r.target = WorkloadRef{WorkloadKind::StatefulSet, "shop", "db"};
  EXPECT_EQ(keys_for_rightsizing(r),
            (Keys{"StatefulSet/shop/db", "RightsizePolicy/shop/standard"}));
  r.target.reset();
  r.policy_ref.clear();
  EXPECT_TRUE(keys_for_rightsizing(r).empty());
  HpaInfo h{"shop", "h", "StatefulSet", "db", {}};
  EXPECT_EQ(keys_for_hpa(h), (Keys{"StatefulSet/shop/db"}));
  h.target_kind = "ReplicaSet";
  EXPECT_TRUE(keys_for_hpa(h).empty());
}

TEST(EventKeysTest, APdbWakesTheOptedInWorkloadsItSelects) {
  testing::FakeClusterView view;
  Workload web;
  web.ref = {WorkloadKind::Deployment, "shop", "web"};
  web.policy = "standard";
  web.template_labels = {{"app", "web"}, {"tier", "front"}};
  Workload db = web;
  db.ref = {WorkloadKind::StatefulSet, "shop", "db"};
  db.template_labels = {{"app", "db"}};
  Workload unmanaged = web;
  unmanaged.ref.name = "unmanaged";
  unmanaged.policy.reset();
  for (const auto& w : {web, db, unmanaged}) view.put(w);
  PdbInfo pdb;
  pdb.namespace_name = "shop";
  pdb.has_selector = true;
  pdb.match_labels = {{"app", "web"}};
  EXPECT_EQ(keys_for_pdb(pdb, view), (Keys{"Deployment/shop/web"}));
  pdb.match_labels.clear();  // an empty selector selects every pod
  auto all = keys_for_pdb(pdb, view);
  std::ranges::sort(all);
  EXPECT_EQ(all, (Keys{"Deployment/shop/web", "StatefulSet/shop/db"}));
  pdb.namespace_name = "other";
  EXPECT_TRUE(keys_for_pdb(pdb, view).empty());
}

TEST(EventKeysTest, PodReadinessAndDeletionWakeTheOwner) {
  testing::FakeClusterView view;
  PodInfo old;
  old.namespace_name = "shop";
  old.name = "web-1";
  view.put(old, WorkloadRef{WorkloadKind::Deployment, "shop", "web"});
  PodInfo now = old;
  now.ready = true;
  EXPECT_EQ(keys_for_pod_change(old, now, view), (Keys{"Deployment/shop/web"}));
  EXPECT_EQ(keys_for_pod_change(now, old, view), (Keys{"Deployment/shop/web"}));
  now = old;
  now.deleting = true;
  EXPECT_EQ(keys_for_pod_change(old, now, view), (Keys{"Deployment/shop/web"}));
  now = old;
  now.phase = "Running";  // other status changes do not
  EXPECT_TRUE(keys_for_pod_change(old, now, view).empty());
}

TEST(EventKeysTest, PodRestartsAndTerminationsWakeTheOwnerOnly) {
  testing::FakeClusterView view;
  PodInfo old;
  old.namespace_name = "shop";
  old.name = "web-1";
  old.containers = {{"app", {}, 0, "", std::nullopt}};
  view.put(old, WorkloadRef{WorkloadKind::Deployment, "shop", "web"});
  PodInfo now = old;
  EXPECT_TRUE(keys_for_pod_change(old, now, view).empty());
  now.containers[0].restart_count = 1;
  EXPECT_EQ(keys_for_pod_change(old, now, view), (Keys{"Deployment/shop/web"}));
  now = old;
  now.containers[0].last_termination_reason = "OOMKilled";
  EXPECT_EQ(keys_for_pod_change(old, now, view), (Keys{"Deployment/shop/web"}));
  now = old;
  now.containers[0].last_termination_at = policies::Timestamp{};
  EXPECT_EQ(keys_for_pod_change(old, now, view), (Keys{"Deployment/shop/web"}));
  now = old;
  now.containers.push_back({"sidecar", {}, 2, "", std::nullopt});
  EXPECT_EQ(keys_for_pod_change(old, now, view), (Keys{"Deployment/shop/web"}));
  now.containers[1].restart_count = 0;
  EXPECT_TRUE(keys_for_pod_change(old, now, view).empty());
  PodInfo orphan = old;
  orphan.name = "orphan";
  PodInfo orphan_now = orphan;
  orphan_now.containers[0].restart_count = 3;
  EXPECT_TRUE(keys_for_pod_change(orphan, orphan_now, view).empty());
}

}  // namespace
}  // namespace controller
