// CRUD, patches, paging and conflicts against the real API server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "connected_client.h"
#include "k8s/conflict_retry.h"

namespace k8s {
namespace {

using nlohmann::json;
using namespace itest_support;

// Counts the requests that reach the wire.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> send(const Request& r, const Credentials& c) override {
    ++sent;
    return inner_->send(r, c);
  }
  Result<StreamedResponse> stream(const Request& r, const Credentials& c) override {
    return inner_->stream(r, c);
  }
  std::atomic<int> sent{0};

 private:
  std::shared_ptr<Transport> inner_;
};

const ApiResource kWidgets{"k8s-itest.example.com", "v1", "widgets", true};

void ensure_widget_crd() {
  static bool done = false;
  if (done) return;
  auto r = itest::kubectl({"apply", "-f", "-"}, R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.k8s-itest.example.com}
spec:
  group: k8s-itest.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
)");
  ASSERT_TRUE(r.ok()) << r.err;
  auto w = itest::kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                           "crd/widgets.k8s-itest.example.com"});
  ASSERT_TRUE(w.ok()) << w.err;
  done = true;
}

TEST(K8sCrud, ConfigMapLifecycle) {
  itest::TestNamespace ns("k8s-crud");
  auto c = admin_client();
  ASSERT_TRUE(c);
  auto& api = *c->api;
  auto created = api.create(cm_ref(ns.name()), config_map(ns.name(), "cm", {{"a", "1"}}));
  ASSERT_TRUE(created) << created.error().describe();
  auto dup = api.create(cm_ref(ns.name()), config_map(ns.name(), "cm"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::AlreadyExists);

  auto got = api.get(cm_ref(ns.name(), "cm"));
  ASSERT_TRUE(got);
  (*got)["data"]["b"] = "2";
  auto replaced = api.replace(cm_ref(ns.name(), "cm"), *got);
  ASSERT_TRUE(replaced) << replaced.error().describe();
  EXPECT_EQ((*replaced)["data"]["b"], "2");

  auto merged = api.patch(cm_ref(ns.name(), "cm"), PatchType::Merge, {{"data", {{"c", "3"}}}});
  ASSERT_TRUE(merged) << merged.error().describe();
  auto strategic =
      api.patch(cm_ref(ns.name(), "cm"), PatchType::StrategicMerge, {{"data", {{"d", "4"}}}});
  ASSERT_TRUE(strategic) << strategic.error().describe();
  auto jsonpatch = api.patch(cm_ref(ns.name(), "cm"), PatchType::JsonPatch,
                             json::array({{{"op", "remove"}, {"path", "/data/a"}}}));
  ASSERT_TRUE(jsonpatch) << jsonpatch.error().describe();
  EXPECT_EQ((*jsonpatch)["data"], json({{"b", "2"}, {"c", "3"}, {"d", "4"}}));

  auto applied = api.apply(cm_ref(ns.name(), "applied"),
                           config_map(ns.name(), "applied", {{"x", "1"}}), "k8s-itest");
  ASSERT_TRUE(applied) << applied.error().describe();
  bool owned = false;
  for (const auto& mf : (*applied)["metadata"]["managedFields"])
    owned |= mf["manager"] == "k8s-itest";
  EXPECT_TRUE(owned);

  auto invalid = api.create(cm_ref(ns.name()), config_map(ns.name(), "Not_A_Valid_Name"));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, ErrorKind::Invalid);
  EXPECT_FALSE(invalid.error().causes.empty());

  DeleteOptions stale;
  stale.precondition_resource_version = (*created)["metadata"]["resourceVersion"];
  auto refused = api.remove(cm_ref(ns.name(), "cm"), stale);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Conflict);
  DeleteOptions fg;
  fg.propagation_policy = PropagationPolicy::Foreground;
  ASSERT_TRUE(api.remove(cm_ref(ns.name(), "cm"), fg));
  EXPECT_TRUE(itest::eventually(
      [&] {
        auto g = api.get(cm_ref(ns.name(), "cm"));
        return !g && g.error().kind == ErrorKind::NotFound;
      },
      std::chrono::seconds(30)));
}

TEST(K8sCrud, CustomResourceWithStatusSubresource) {
  ensure_widget_crd();
  itest::TestNamespace ns("k8s-cr");
  auto c = admin_client();
  ASSERT_TRUE(c);
  auto& api = *c->api;
  ObjectRef coll{kWidgets, ns.name(), "", ""};
  ObjectRef one{kWidgets, ns.name(), "w1", ""};
  json widget = {{"apiVersion", "k8s-itest.example.com/v1"},
                 {"kind", "Widget"},
                 {"metadata", {{"name", "w1"}, {"namespace", ns.name()}}},
                 {"spec", {{"size", 3}}}};
  ASSERT_TRUE(api.create(coll, widget));
  auto got = api.get(one);
  ASSERT_TRUE(got);
  (*got)["status"] = {{"phase", "Ready"}};
  auto status = api.replace_status(one, *got);
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ((*status)["status"]["phase"], "Ready");
  // A spec change through /status is ignored by the server.
  auto patched = api.patch_status(one, PatchType::Merge,
                                  {{"spec", {{"size", 9}}}, {"status", {{"phase", "Done"}}}});
  ASSERT_TRUE(patched) << patched.error().describe();
  EXPECT_EQ((*patched)["spec"]["size"], 3);
  EXPECT_EQ((*patched)["status"]["phase"], "Done");
  auto spec = api.patch(one, PatchType::Merge, {{"spec", {{"size", 5}}}});
  ASSERT_TRUE(spec);
  EXPECT_EQ((*spec)["spec"]["size"], 5);
  ASSERT_TRUE(api.remove(one));
  auto gone = api.get(one);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
}

TEST(K8sCrud, ListPagesTwentyFiveObjectsTenAtATime) {
  itest::TestNamespace ns("k8s-page");
  auto cfg = admin_config();
  auto base = make_https_transport(cfg);
  ASSERT_TRUE(base);
  auto counting = std::make_shared<CountingTransport>(*base);
  auto c = connect(cfg, {}, counting);
  ASSERT_TRUE(c);
  for (int i = 0; i < 25; ++i) {
    auto r = c->api->create(cm_ref(ns.name()), config_map(ns.name(), "cm-" + std::to_string(i)));
    ASSERT_TRUE(r) << r.error().describe();
  }
  ListOptions opts;
  opts.limit = 10;
  opts.field_selector = "metadata.name!=kube-root-ca.crt";
  int before = counting->sent.load();
  auto list = c->api->list(cm_ref(ns.name()), opts);
  ASSERT_TRUE(list) << list.error().describe();
  EXPECT_EQ(list->items.size(), 25u);
  EXPECT_EQ(counting->sent.load() - before, 3);
  EXPECT_FALSE(list->resource_version.empty());
}

TEST(K8sCrud, StaleUpdateConflictsAndRetryHelperWinsAgainstAConcurrentWriter) {
  itest::TestNamespace ns("k8s-conflict");
  auto c = admin_client();
  ASSERT_TRUE(c);
  auto& api = *c->api;
  ASSERT_TRUE(api.create(cm_ref(ns.name()), config_map(ns.name(), "shared", {{"n", "0"}})));
  auto stale = api.get(cm_ref(ns.name(), "shared"));
  ASSERT_TRUE(stale);
  ASSERT_TRUE(
      api.patch(cm_ref(ns.name(), "shared"), PatchType::Merge, {{"data", {{"other", "x"}}}}));
  auto conflict = api.replace(cm_ref(ns.name(), "shared"), *stale);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().kind, ErrorKind::Conflict);

  // A concurrent writer bumps the object while our helper increments a counter.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto w = admin_client();
    for (int i = 0; !stop.load() && i < 200; ++i) {
      (void)w->api->patch(cm_ref(ns.name(), "shared"), PatchType::Merge,
                          {{"data", {{"writer", std::to_string(i)}}}});
    }
  });
  ConflictRetryPolicy policy;
  policy.attempts = 20;
  int increments = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = update_with_retry(
        api, cm_ref(ns.name(), "shared"),
        [](json& obj) {
          obj["data"]["n"] = std::to_string(std::stoi(obj["data"]["n"].get<std::string>()) + 1);
          return true;
        },
        false, policy);
    ASSERT_TRUE(r) << r.error().describe();
    ++increments;
  }
  stop.store(true);
  writer.join();
  auto final_obj = api.get(cm_ref(ns.name(), "shared"));
  ASSERT_TRUE(final_obj);
  EXPECT_EQ((*final_obj)["data"]["n"], std::to_string(increments));
}

}  // namespace
}  // namespace k8s
