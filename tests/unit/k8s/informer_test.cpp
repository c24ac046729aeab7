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
    inf.add_handlers(
        {[this](const PodView& p) { log_.push_back("add " + p.name); },
         [this](const PodView& o, const PodView& n) {
           log_.push_back("update " + o.rv + "->" + n.rv);
         },
         [this](const PodView& p) { log_.push_back("delete " + p.name + "@" + p.rv); },
         [this](const PodView& p) { log_.push_back("unknown delete " + p.name + "@" + p.rv); }});
  }
  // Handlers run on their own threads: wait (bounded) until they are done.
  std::vector<std::string> log(Informer<PodView>& inf) {
    EXPECT_TRUE(inf.wait_for_handlers(std::chrono::seconds(10)));
    return log_;
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
  EXPECT_THAT(log(inf), ElementsAre("add p1", "add p2", "add p3"));
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
  // The deleted object as the DELETED event carries it (rv 3), not as cached.
  EXPECT_THAT(log(inf), ElementsAre("add p1", "update 1->2", "delete p1@3"));
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
  // Deleted while no watch was open: only its last known state is at hand.
  EXPECT_THAT(log(inf), UnorderedElementsAre("update 1->5", "add new", "unknown delete vanish@2"));
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

TEST_F(InformerTest, RelistDeletionGoesToOnDeleteWhenNoFinalStateUnknownHandler) {
  Informer<PodView> inf(client_, config(), project_pod);
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitPage, {pod("a", "vanish", "2")}});
  inf.handle({WatcherEventKind::InitDone, {}});
  std::vector<std::string> deleted;
  inf.add_handlers({nullptr, nullptr, [&](const PodView& p) { deleted.push_back(p.name); }});
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitDone, {}});
  ASSERT_TRUE(inf.wait_for_handlers(std::chrono::seconds(10)));
  EXPECT_THAT(deleted, ElementsAre("vanish"));
}

// A handler that blocks delays neither the cache nor the other handlers.
TEST_F(InformerTest, SlowHandlerDoesNotStallTheWatchOrOtherHandlers) {
  Informer<PodView> inf(client_, config(), project_pod);
  std::mutex gate;
  std::unique_lock closed(gate);
  std::atomic<int> slow_adds{0};
  inf.add_handlers({[&](const PodView&) {
                      std::lock_guard wait(gate);  // blocks until the test opens the gate
                      slow_adds++;
                    },
                    nullptr, nullptr});
  std::atomic<int> fast_adds{0};
  inf.add_handlers({[&](const PodView&) { fast_adds++; }, nullptr, nullptr});
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitDone, {}});
  for (int i = 0; i < 100; ++i)
    inf.handle({WatcherEventKind::Apply, {pod("a", "p" + std::to_string(i), "1")}});
  EXPECT_EQ(inf.store().size(), 100u);
  // The fast handler sees every add while the slow one is still blocked.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fast_adds.load() < 100 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(fast_adds.load(), 100);
  EXPECT_EQ(slow_adds.load(), 0);
  closed.unlock();
  ASSERT_TRUE(inf.wait_for_handlers(std::chrono::seconds(10)));
  EXPECT_EQ(slow_adds.load(), 100);
}

// stop() drops queued notifications and waits for the running handler: an
// event queued behind a handler held at a gate is never delivered.
TEST_F(InformerTest, StopDropsQueuedNotifications) {
  Informer<PodView> inf(client_, config(), project_pod);
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool open = false;
  std::atomic<int> adds{0};
  inf.add_handlers({[&](const PodView&) {
                      adds++;
                      std::unique_lock lock(gate_mu);
                      gate_cv.wait_for(lock, std::chrono::seconds(10), [&] { return open; });
                    },
                    nullptr, nullptr});
  inf.handle({WatcherEventKind::InitStarted, {}});
  inf.handle({WatcherEventKind::InitDone, {}});
  inf.handle({WatcherEventKind::Apply, {pod("a", "p1", "1")}});
  inf.handle({WatcherEventKind::Apply, {pod("a", "p2", "1")}});
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (adds.load() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(adds.load(), 1);
  // Opens the gate once only the running notification is left (bounded).
  std::thread opener([&] {
    auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (inf.pending_notifications() > 1 && std::chrono::steady_clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard lock(gate_mu);
    open = true;
    gate_cv.notify_all();
  });
  inf.stop();
  opener.join();
  EXPECT_TRUE(inf.wait_for_handlers(std::chrono::seconds(10)));
  EXPECT_EQ(adds.load(), 1);
}

// Lists, watches one event, then waits on a server that never answers; the
// fake transport fails the test (after 30 s) instead of spinning if the stop
// does not reach the waiting request.
TEST_F(InformerTest, RunsOnItsOwnThreadAndStopsPromptlyAgainstASilentServer) {
  std::string list = json{{"metadata", {{"resourceVersion", "9"}}},
                          {"items", json::array({pod("a", "p1", "1"), pod("a", "p2", "2")})}}
                         .dump();
  transport_->push(200, list);
  std::string ev = json{{"type", "ADDED"}, {"object", pod("a", "p3", "10")}}.dump() + "\n";
  transport_->push_stream({200, {ev}, {}});
  transport_->hang_when_unscripted();
  Informer<json> inf(client_, config(), keep_json);
  std::atomic<int> adds{0};
  inf.add_handlers({[&](const json&) { adds++; }, nullptr, nullptr});
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(std::chrono::seconds(10)));
  // The stream ends after the event; the informer re-watches and waits.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (transport_->hanging() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(transport_->hanging(), 1);
  // stop() drops what the handlers have not run yet.
  ASSERT_TRUE(inf.wait_for_handlers(std::chrono::seconds(10)));
  auto started = std::chrono::steady_clock::now();
  inf.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(adds.load(), 3);
  auto p3 = inf.store().get("a/p3");
  ASSERT_NE(p3, nullptr);
  EXPECT_EQ((*p3)["spec"]["nodeName"], "n-p3");
}

// stop() then start() resumes watching (a cancelled watcher is not stuck).
TEST_F(InformerTest, StartAfterStopWatchesAgain) {
  transport_->push(200,
                   json{{"metadata", {{"resourceVersion", "9"}}}, {"items", json::array()}}.dump());
  transport_->hang_when_unscripted();
  Informer<json> inf(client_, config(), keep_json);
  inf.start();
  ASSERT_TRUE(inf.wait_for_sync(std::chrono::seconds(10)));
  auto wait_hanging = [&] {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (transport_->hanging() == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return transport_->hanging() == 1;
  };
  ASSERT_TRUE(wait_hanging());
  inf.stop();
  std::string ev = json{{"type", "ADDED"}, {"object", pod("a", "p3", "10")}}.dump() + "\n";
  transport_->push_stream({200, {ev}, {}});
  std::atomic<int> adds{0};
  inf.add_handlers({[&](const json&) { adds++; }, nullptr, nullptr});
  inf.start();
  ASSERT_TRUE(wait_hanging());  // read the event, then waits on the next watch
  ASSERT_TRUE(inf.wait_for_handlers(std::chrono::seconds(10)));  // stop() drops the rest
  inf.stop();
  EXPECT_EQ(adds.load(), 1);
  EXPECT_NE(inf.store().get("a/p3"), nullptr);
}

}  // namespace
}  // namespace k8s
