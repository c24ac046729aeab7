// Watches and informers against the real API server, including a real 410
// after an etcd compaction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <thread>

#include "connected_client.h"
#include "k8s/informer.h"

namespace k8s {
namespace {

using nlohmann::json;
using namespace itest_support;

// A client whose stream reads end after 5 s of silence, so that a missing
// event fails a test in seconds rather than hanging it.
std::unique_ptr<ConnectedClient> quick_client() {
  TransportOptions topts;
  topts.stream_idle_timeout = std::chrono::seconds(5);
  return connect(admin_config(), {}, nullptr, topts);
}

// Lists (empty), then opens the watch stream.
void start_watching(Watcher& watcher) {
  for (int i = 0; i < 10 && watcher.state_name() != "Watching"; ++i) ASSERT_TRUE(watcher.step());
  ASSERT_EQ(watcher.state_name(), "Watching");
  ASSERT_TRUE(watcher.step());  // opens the stream
}

// A missing event must fail the test in seconds: the stream's idle timeout
// (5 s here) ends a read that waits for it, and the loop has a deadline.
TEST(K8sWatch, SeesCreateUpdateDeleteInOrder) {
  itest::TestNamespace ns("k8s-watch");
  auto c = quick_client();
  ASSERT_TRUE(c);
  WatcherConfig cfg;
  cfg.collection = cm_ref(ns.name());
  cfg.field_selector = "metadata.name=watched";
  Watcher watcher(*c->api, cfg);
  ASSERT_NO_FATAL_FAILURE(start_watching(watcher));

  auto& api = *c->api;
  ASSERT_TRUE(api.create(cm_ref(ns.name()), config_map(ns.name(), "watched", {{"v", "1"}})));
  ASSERT_TRUE(api.patch(cm_ref(ns.name(), "watched"), PatchType::Merge, {{"data", {{"v", "2"}}}}));
  ASSERT_TRUE(api.remove(cm_ref(ns.name(), "watched")));

  std::vector<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    auto r = watcher.step();
    ASSERT_TRUE(r) << r.error().describe();
    if (!*r) continue;
    const auto& obj = (*r)->objects.at(0);
    std::string v = obj["data"].value("v", "");
    seen.push_back(((*r)->kind == WatcherEventKind::Delete ? "delete " : "apply ") + v);
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("apply 1", "apply 2", "delete 2"));
}

// A watch event many times the stream's read buffer (16 KiB) arrives whole:
// the transport hands it over in pieces and the watcher joins them.
TEST(K8sWatch, AnEventLargerThanTheReadBufferArrivesWhole) {
  itest::TestNamespace ns("k8s-watch-big");
  auto c = quick_client();
  ASSERT_TRUE(c);
  WatcherConfig cfg;
  cfg.collection = cm_ref(ns.name());
  Watcher watcher(*c->api, cfg);
  ASSERT_NO_FATAL_FAILURE(start_watching(watcher));

  std::string big;
  for (int i = 0; big.size() < 200 * 1024; ++i) big += std::to_string(i) + ",";
  ASSERT_TRUE(c->api->create(cm_ref(ns.name()), config_map(ns.name(), "big", {{"v", big}})));

  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.empty() && std::chrono::steady_clock::now() < deadline) {
    auto r = watcher.step();
    ASSERT_TRUE(r) << r.error().describe();
    if (*r) seen = (*r)->objects.at(0)["data"].value("v", "");
  }
  EXPECT_EQ(seen.size(), big.size());
  EXPECT_EQ(seen, big);
}

std::int64_t etcd_revision() {
  const auto& env = itest::ClusterEnv::get();
  auto r = itest::run(
      {env.bin("etcdctl"), "--endpoints=" + env.etcd_endpoint, "endpoint", "status", "-w", "json"});
  EXPECT_TRUE(r.ok()) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  if (doc.is_array() && !doc.empty()) doc = doc[0];
  return doc["Status"]["header"]["revision"].get<std::int64_t>();
}

void compact_etcd(std::int64_t revision) {
  const auto& env = itest::ClusterEnv::get();
  auto r = itest::run({env.bin("etcdctl"), "--endpoints=" + env.etcd_endpoint, "compact",
                       std::to_string(revision)});
  ASSERT_TRUE(r.ok() || r.err.find("already been compacted") != std::string::npos) << r.err;
}

std::map<std::string, std::string> fresh_list(ApiClient& api, const ObjectRef& coll) {
  std::map<std::string, std::string> out;
  auto list = api.list(coll);
  EXPECT_TRUE(list);
  if (!list) return out;
  for (const auto& item : list->items) out[object_key(item)] = meta_resource_version(item);
  return out;
}

std::map<std::string, std::string> cached(const Informer<json>& inf) {
  std::map<std::string, std::string> out;
  for (const auto& obj : inf.store().list()) out[object_key(*obj)] = meta_resource_version(*obj);
  return out;
}

// A CRD of this test's own: its watch cache starts when it is created, so a
// resourceVersion from before then is too old for the cache and, after the
// compaction, for etcd too — a real 410 whatever the cache's size.
ApiResource fresh_crd(const std::string& plural) {
  const std::string group = "k8s-410.example.com";
  auto r = itest::kubectl(
      {"apply", "-f", "-"},
      "apiVersion: apiextensions.k8s.io/v1\n"
      "kind: CustomResourceDefinition\n"
      "metadata: {name: " +
          plural + "." + group +
          "}\n"
          "spec:\n"
          "  group: " +
          group +
          "\n"
          "  scope: Namespaced\n"
          "  names: {plural: " +
          plural + ", singular: " + plural.substr(0, plural.size() - 1) + ", kind: Gadget" +
          plural +
          "}\n"
          "  versions:\n"
          "  - name: v1\n"
          "    served: true\n"
          "    storage: true\n"
          "    schema:\n"
          "      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n");
  EXPECT_TRUE(r.ok()) << r.err;
  auto w = itest::kubectl(
      {"wait", "--for=condition=Established", "--timeout=60s", "crd/" + plural + "." + group});
  EXPECT_TRUE(w.ok()) << w.err;
  return {group, "v1", plural, true};
}

json gadget(const ApiResource& res, const std::string& ns, const std::string& name,
            const std::string& v) {
  return {{"apiVersion", res.api_version()},
          {"kind", "Gadget" + res.plural},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"v", v}}}};
}

TEST(K8sWatch, CompactedResourceVersionMakesTheInformerRelistAndConverge) {
  itest::TestNamespace ns("k8s-410");
  auto c = admin_client();
  ASSERT_TRUE(c);
  auto& api = *c->api;
  auto marker = api.create(cm_ref(ns.name()), config_map(ns.name(), "marker"));
  ASSERT_TRUE(marker);
  std::string old_rv = meta_resource_version(*marker);

  std::string plural = "gadgets" + std::to_string(::getpid()) + "s";
  ApiResource res = fresh_crd(plural);
  ObjectRef coll{res, ns.name(), "", ""};
  // The API server needs a moment before a new resource is served.
  ASSERT_TRUE(
      itest::eventually([&] { return bool(api.create(coll, gadget(res, ns.name(), "old", "1"))); },
                        std::chrono::seconds(30)));
  ASSERT_TRUE(api.create(coll, gadget(res, ns.name(), "doomed", "1")));
  auto before = api.list(coll);
  ASSERT_TRUE(before);

  // Changes the informer will miss, then compact etcd past everything.
  ASSERT_TRUE(api.remove({res, ns.name(), "doomed", ""}));
  ASSERT_TRUE(api.patch({res, ns.name(), "old", ""}, PatchType::Merge, {{"spec", {{"v", "2"}}}}));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(api.create(coll, gadget(res, ns.name(), "new-" + std::to_string(i), "1")));
  compact_etcd(etcd_revision());

  // The informer had listed and was disconnected at old_rv; it resumes there.
  WatcherConfig cfg;
  cfg.collection = coll;
  Informer<json> inf(*c->api, cfg, keep_json);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitPage, before->items});
  inf.handle({WatcherEventKind::InitDone, {}});
  ASSERT_EQ(inf.list_generation(), 1);
  inf.watcher().resume_from(old_rv);
  inf.start();
  EXPECT_TRUE(
      itest::eventually([&] { return inf.list_generation() >= 2; }, std::chrono::seconds(30)))
      << "no relist after the compaction";
  EXPECT_TRUE(itest::eventually([&] { return cached(inf) == fresh_list(api, coll); },
                                std::chrono::seconds(30)));
  EXPECT_EQ(inf.store().get(ns.name() + "/doomed"), nullptr);
  auto old = inf.store().get(ns.name() + "/old");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ((*old)["spec"]["v"], "2");
  inf.stop();
  (void)itest::kubectl({"delete", "crd", plural + "." + res.group, "--wait=false"});
}

TEST(K8sWatch, InformerFollowsChangesWithAProjection) {
  itest::TestNamespace ns("k8s-informer");
  auto c = admin_client();
  ASSERT_TRUE(c);
  WatcherConfig cfg;
  cfg.collection = cm_ref(ns.name());
  cfg.mask = FieldMask{"data.keep"};
  Informer<json> inf(*c->api, cfg, keep_json);
  std::atomic<int> adds{0}, deletes{0};
  inf.add_handlers({[&](const json&) { adds++; }, nullptr, [&](const json&) { deletes++; }});
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(std::chrono::seconds(30)));
  ASSERT_TRUE(c->api->create(cm_ref(ns.name()),
                             config_map(ns.name(), "p", {{"keep", "k"}, {"drop", "d"}})));
  ASSERT_TRUE(itest::eventually([&] { return inf.store().get(ns.name() + "/p") != nullptr; },
                                std::chrono::seconds(30)));
  auto p = inf.store().get(ns.name() + "/p");
  EXPECT_EQ((*p)["data"], json({{"keep", "k"}}));
  EXPECT_FALSE((*p)["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_EQ(inf.store().by_namespace(ns.name()).size(), inf.store().size());
  ASSERT_TRUE(c->api->remove(cm_ref(ns.name(), "p")));
  ASSERT_TRUE(itest::eventually([&] { return deletes.load() == 1; }, std::chrono::seconds(30)));
  inf.stop();
}

}  // namespace
}  // namespace k8s
