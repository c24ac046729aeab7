#include "k8s/informer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_api.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"

namespace k8s {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// What an operator might keep of a pod.
struct PodView {
  std::string name;
  std::string node;
  std::string rv;
};

PodView project_pod(const json& obj) {
  return {meta_name(obj), obj.value("/spec/nodeName"_json_pointer, std::string{}),
          meta_resource_version(obj)};
}

json pod(const std::string& ns, const std::string& name, const std::string& rv,
         const std::string& owner = "") {
  json p = {{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", rv}}},
            {"spec", {{"nodeName", "n-" + name}}}};
  if (!owner.empty()) p["metadata"]["ownerReferences"] = json::array({{{"uid", owner}}});
  return p;
}

class InformerTest : public ::testing::Test {
 protected:
  InformerTest() : client_(transport_, nullptr, clock_, random_, options()) {}
  static ClientOptions options() { return unit::single_attempt_options(); }
  WatcherConfig config() {
    WatcherConfig c;
    c.collection = {resources::pods(), "", "", ""};
    c.mask = FieldMask{"spec.nodeName"};
    return c;
  }
  void record(Informer<PodView>& inf) {
    inf.add_handlers({[this](const PodView& p) { log_.push_back("add " + p.name); },
                      [this](const PodView& o, const PodView& n) {
                        log_.push_back("update " + o.rv + "->" + n.rv);
                      },
                      [this](const PodView& p) { log_.push_back("delete " + p.name); }});
  }

  std::shared_ptr<testing::FakeTransport> transport_ = std::make_shared<testing::FakeTransport>();
  testing::FakeClock clock_;
  testing::FixedRandom random_;
  ApiClient client_;
  std::vector<std::string> log_;
};

TEST_F(InformerTest, InitialListIsBufferedAndSwappedInWhole) {
  Informer<PodView> inf(client_, config(), project_pod);
  record(inf);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitPage, {pod("a", "p1", "1"), pod("a", "p2", "2")}});
  EXPECT_EQ(inf.store().size(), 0u);
  EXPECT_FALSE(inf.synced());
  inf.handle({WatcherEventKind::InitPage, {pod("b", "p3", "3")}});
  EXPECT_EQ(inf.store().size(), 0u);
  inf.handle({WatcherEventKind::InitDone, {}});
  EXPECT_TRUE(inf.synced());
  EXPECT_EQ(inf.store().size(), 3u);
  EXPECT_EQ(inf.store().get("a/p2")->node, "n-p2");
  EXPECT_THAT(log_, ElementsAre("add p1", "add p2", "add p3"));
}

TEST_F(InformerTest, WatchEventsCallHandlers) {
  Informer<PodView> inf(client_, config(), project_pod);
  record(inf);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitDone, {}});
  inf.handle({WatcherEventKind::Apply, {pod("a", "p1", "1")}});
  inf.handle({WatcherEventKind::Apply, {pod("a", "p1", "2")}});
  inf.handle({WatcherEventKind::Delete, {pod("a", "p1", "3")}});
  inf.handle({WatcherEventKind::Delete, {pod("a", "gone", "4")}});
  EXPECT_THAT(log_, ElementsAre("add p1", "update 1->2", "delete p1"));
  EXPECT_EQ(inf.store().size(), 0u);
}

TEST_F(InformerTest, RelistReplacesContentAndReportsDifferences) {
  Informer<PodView> inf(client_, config(), project_pod);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitPage, {pod("a", "keep", "1"), pod("a", "vanish", "2")}});
  inf.handle({WatcherEventKind::InitDone, {}});
  record(inf);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitPage, {pod("a", "keep", "5"), pod("a", "new", "6")}});
  EXPECT_EQ(inf.store().size(), 2u);  // still the old content while relisting
  EXPECT_NE(inf.store().get("a/vanish"), nullptr);
  inf.handle({WatcherEventKind::InitDone, {}});
  EXPECT_THAT(log_, UnorderedElementsAre("update 1->5", "add new", "delete vanish"));
  EXPECT_THAT(inf.store().keys(), ElementsAre("a/keep", "a/new"));
  EXPECT_EQ(inf.list_generation(), 2);
}

TEST_F(InformerTest, IndexesByNamespaceAndOwner) {
  Informer<PodView> inf(client_, config(), project_pod);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle(
      {WatcherEventKind::InitPage,
       {pod("a", "p1", "1", "rs1"), pod("a", "p2", "1", "rs2"), pod("ab", "p3", "1", "rs1")}});
  inf.handle({WatcherEventKind::InitDone, {}});
  EXPECT_EQ(inf.store().by_namespace("a").size(), 2u);
  EXPECT_EQ(inf.store().by_namespace("ab").size(), 1u);
  EXPECT_EQ(inf.store().by_owner("rs1").size(), 2u);
  inf.handle({WatcherEventKind::Apply, {pod("a", "p2", "2", "rs1")}});
  EXPECT_EQ(inf.store().by_owner("rs1").size(), 3u);
  EXPECT_TRUE(inf.store().by_owner("rs2").empty());
  inf.handle({WatcherEventKind::Delete, {pod("a", "p1", "3")}});
  EXPECT_EQ(inf.store().by_owner("rs1").size(), 2u);
}

TEST_F(InformerTest, RunsOnItsOwnThreadUntilStopped) {
  std::string list = json{{"metadata", {{"resourceVersion", "9"}}},
                          {"items", json::array({pod("a", "p1", "1"), pod("a", "p2", "2")})}}
                         .dump();
  transport_->push(200, list);
  std::string ev = json{{"type", "ADDED"}, {"object", pod("a", "p3", "10")}}.dump() + "\n";
  transport_->push_stream({200, {ev}, {}});
  transport_->set_handler([](const Request&) -> Result<HttpResponse> {
    return make_error(ErrorKind::Transport, "down");
  });
  Informer<json> inf(client_, config(), keep_json);
  std::atomic<int> adds{0};
  inf.add_handlers({[&](const json&) { adds++; }, nullptr, nullptr});
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(std::chrono::seconds(10)));
  for (int i = 0; i < 1000 && adds.load() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  inf.stop();
  EXPECT_EQ(adds.load(), 3);
  auto p3 = inf.store().get("a/p3");
  ASSERT_NE(p3, nullptr);
  EXPECT_EQ((*p3)["spec"]["nodeName"], "n-p3");
}

}  // namespace
}  // namespace k8s
