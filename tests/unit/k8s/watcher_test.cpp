#include "k8s/watcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_api.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"

namespace k8s {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::ScriptedStream;

std::string obj(const std::string& name, const std::string& rv) {
  return json{{"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv}}},
              {"data", {{"k", "v"}}}}
      .dump();
}
std::string line(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}
std::string list_body(std::vector<std::string> items, const std::string& rv,
                      const std::string& cont = "") {
  std::string out = R"({"kind":"List","metadata":{"resourceVersion":")" + rv + R"(","continue":")" +
                    cont + R"("},"items":[)";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]}";
}
std::string gone_status() {
  return R"j({"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (9)",)j"
         R"j("reason":"Expired","code":410})j";
}

class WatcherTest : public ::testing::Test {
 protected:
  WatcherTest() : client_(transport_, nullptr, clock_, random_, options()) {}
  static ClientOptions options() { return unit::single_attempt_options(); }
  WatcherConfig config() {
    WatcherConfig c;
    c.collection = {resources::configmaps(), "ns", "", ""};
    return c;
  }
  // Steps until an event or an error; nullopt-steps are skipped (bounded).
  Result<std::optional<WatcherEvent>> next(Watcher& w) {
    for (int i = 0; i < 100; ++i) {
      auto r = w.step();
      if (!r || *r) return r;
    }
    return make_error(ErrorKind::Timeout, "no event in 100 steps");
  }
  void expect_kind(Watcher& w, WatcherEventKind kind, size_t objects = 0) {
    auto r = next(w);
    ASSERT_TRUE(r) << r.error().describe();
    ASSERT_TRUE(*r);
    EXPECT_EQ((*r)->kind, kind);
    EXPECT_EQ((*r)->objects.size(), objects);
  }
  void list_and_start(Watcher& w, const std::string& rv = "10") {
    transport_->push(200, list_body({obj("a", "5")}, rv));
    expect_kind(w, WatcherEventKind::InitStarted);
    expect_kind(w, WatcherEventKind::InitPage, 1);
    expect_kind(w, WatcherEventKind::InitDone);
  }

  std::shared_ptr<testing::FakeTransport> transport_ = std::make_shared<testing::FakeTransport>();
  testing::FakeClock clock_;
  testing::FixedRandom random_;
  ApiClient client_;
};

TEST_F(WatcherTest, PagesTheListThenWatchesFromItsVersionWithBookmarks) {
  Watcher w(client_, config());
  transport_->push(200, list_body({obj("a", "5")}, "", "tok"));
  transport_->push(200, list_body({obj("b", "6")}, "10"));
  expect_kind(w, WatcherEventKind::InitStarted);
  expect_kind(w, WatcherEventKind::InitPage, 1);
  EXPECT_EQ(w.state_name(), "InitListing");
  expect_kind(w, WatcherEventKind::InitPage, 1);
  expect_kind(w, WatcherEventKind::InitDone);
  transport_->push_stream({200, {line("ADDED", obj("c", "11"))}, {}});
  expect_kind(w, WatcherEventKind::Apply, 1);
  auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].request.target(), "/api/v1/namespaces/ns/configmaps?limit=500");
  EXPECT_EQ(reqs[1].request.target(), "/api/v1/namespaces/ns/configmaps?limit=500&continue=tok");
  EXPECT_EQ(
      reqs[2].request.target(),
      "/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=10&allowWatchBookmarks=true"
      "&timeoutSeconds=450");  // FixedRandom 0.5: the middle of [300, 600)
  EXPECT_EQ(w.resource_version(), "11");
}

TEST_F(WatcherTest, EventSplitAcrossChunksAndSeveralInOneChunk) {
  Watcher w(client_, config());
  list_and_start(w);
  std::string two = line("ADDED", obj("x", "11")) + line("MODIFIED", obj("x", "12"));
  std::string del = line("DELETED", obj("x", "13"));
  std::vector<std::string> pieces{two, del.substr(0, 7), del.substr(7, 1), del.substr(8)};
  transport_->push_stream({200, pieces, {}});
  expect_kind(w, WatcherEventKind::Apply, 1);
  expect_kind(w, WatcherEventKind::Apply, 1);
  auto r = next(w);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->kind, WatcherEventKind::Delete);
  EXPECT_EQ((*r)->objects[0]["metadata"]["name"], "x");
  EXPECT_EQ(w.resource_version(), "13");
}

TEST_F(WatcherTest, BookmarkMovesTheVersionSilently) {
  Watcher w(client_, config());
  list_and_start(w);
  transport_->push_stream(
      {200, {line("BOOKMARK", R"({"kind":"ConfigMap","metadata":{"resourceVersion":"77"}})")}, {}});
  transport_->push_stream({200, {line("ADDED", obj("y", "78"))}, {}});
  expect_kind(w, WatcherEventKind::Apply, 1);
  auto reqs = transport_->requests();
  EXPECT_EQ(*reqs.back().request.query_value("resourceVersion"), "77");
}

TEST_F(WatcherTest, StreamEndResumesFromLastVersionWithoutRelist) {
  Watcher w(client_, config());
  list_and_start(w);
  transport_->push_stream({200, {line("ADDED", obj("x", "20"))}, {}});
  transport_->push_stream({200, {line("MODIFIED", obj("x", "21"))}, {}});
  expect_kind(w, WatcherEventKind::Apply, 1);
  expect_kind(w, WatcherEventKind::Apply, 1);
  auto reqs = transport_->requests();
  EXPECT_EQ(*reqs.back().request.query_value("resourceVersion"), "20");
  EXPECT_EQ(reqs.size(), 3u);  // one list, two watches
}

TEST_F(WatcherTest, InvalidLineDropsStreamAndResumesAfterLastGoodEvent) {
  Watcher w(client_, config());
  list_and_start(w);
  transport_->push_stream(
      {200, {line("ADDED", obj("x", "20")) + "{not json\n" + line("ADDED", obj("z", "22"))}, {}});
  transport_->push_stream({200, {line("ADDED", obj("z", "22"))}, {}});
  auto r = next(w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Decode);
  expect_kind(w, WatcherEventKind::Apply, 1);  // x, decoded before the bad line
  EXPECT_EQ(w.resource_version(), "20");
  expect_kind(w, WatcherEventKind::Apply, 1);  // z, from a new watch at 20
  EXPECT_EQ(*transport_->requests().back().request.query_value("resourceVersion"), "20");
}

TEST_F(WatcherTest, FiveMegabyteObjectAcrossManyChunks) {
  Watcher w(client_, config());
  list_and_start(w);
  std::string big(5u << 20, 'x');
  std::string ev = line("ADDED", json{{"metadata", {{"name", "big"}, {"resourceVersion", "30"}}},
                                      {"data", {{"blob", big}}}}
                                     .dump());
  std::vector<std::string> pieces;
  for (size_t at = 0; at < ev.size(); at += 65536) pieces.push_back(ev.substr(at, 65536));
  transport_->push_stream({200, pieces, {}});
  auto r = next(w);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->objects[0]["data"]["blob"].get_ref<const std::string&>().size(), big.size());
}

TEST_F(WatcherTest, InStream410RelistsAndNeverRetriesTheStaleVersion) {
  Watcher w(client_, config());
  list_and_start(w, "10");
  transport_->push_stream({200, {line("ERROR", gone_status())}, {}});
  auto r = next(w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Gone);
  EXPECT_EQ(w.state_name(), "Empty");
  transport_->push(200, list_body({obj("a", "50")}, "50"));
  expect_kind(w, WatcherEventKind::InitStarted);
  expect_kind(w, WatcherEventKind::InitPage, 1);
  expect_kind(w, WatcherEventKind::InitDone);
  transport_->push_stream({200, {}, {}});
  (void)next(w);
  auto reqs = transport_->requests();
  ASSERT_GE(reqs.size(), 4u);
  EXPECT_EQ(reqs[2].request.query_value("watch"), nullptr);  // the relist
  EXPECT_EQ(reqs[2].request.query_value("resourceVersion"), nullptr);
  EXPECT_EQ(*reqs[3].request.query_value("resourceVersion"), "50");
}

TEST_F(WatcherTest, Http410OnWatchOpenRelists) {
  Watcher w(client_, config());
  list_and_start(w);
  transport_->push_stream({410, {gone_status()}, {}});
  auto r = next(w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Gone);
  EXPECT_EQ(w.state_name(), "Empty");
}

// An expired continue token starts the list, and the cache, over — paged
// again (unlike client-go's pager, which lists once unpaged: see list_page).
TEST_F(WatcherTest, ExpiredContinueTokenRestartsTheListPaged) {
  auto cfg = config();
  cfg.page_size = 1;
  Watcher w(client_, cfg);
  transport_->push(200, list_body({obj("a", "5")}, "", "tok"));
  transport_->push(410, gone_status());
  expect_kind(w, WatcherEventKind::InitStarted);
  expect_kind(w, WatcherEventKind::InitPage, 1);
  EXPECT_FALSE(next(w));
  EXPECT_EQ(w.state_name(), "Empty");
  transport_->push(200, list_body({obj("a", "5")}, "20"));
  expect_kind(w, WatcherEventKind::InitStarted);
  expect_kind(w, WatcherEventKind::InitPage, 1);
  expect_kind(w, WatcherEventKind::InitDone);
  EXPECT_EQ(w.resource_version(), "20");
  const auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  ASSERT_NE(reqs[1].request.query_value("continue"), nullptr);
  EXPECT_EQ(*reqs[1].request.query_value("continue"), "tok");
  ASSERT_NE(reqs[2].request.query_value("limit"), nullptr);
  EXPECT_EQ(*reqs[2].request.query_value("limit"), "1");
  EXPECT_EQ(reqs[2].request.query_value("continue"), nullptr);
}

// Any other failure of a continue page retries that page: the token and the
// pages before it are kept, and the list does not start over.
TEST_F(WatcherTest, AFailedContinuePageIsRetriedWithItsToken) {
  auto cfg = config();
  cfg.page_size = 1;
  Watcher w(client_, cfg);
  transport_->push(200, list_body({obj("a", "5")}, "", "tok"));
  transport_->push(503, R"({"kind":"Status","code":503,"reason":"ServiceUnavailable"})");
  transport_->push(200, list_body({obj("b", "6")}, "9"));
  expect_kind(w, WatcherEventKind::InitStarted);
  expect_kind(w, WatcherEventKind::InitPage, 1);
  EXPECT_FALSE(next(w));
  EXPECT_EQ(w.state_name(), "InitListing");
  expect_kind(w, WatcherEventKind::InitPage, 1);
  expect_kind(w, WatcherEventKind::InitDone);
  const auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  ASSERT_NE(reqs[1].request.query_value("continue"), nullptr);
  EXPECT_EQ(*reqs[1].request.query_value("continue"), "tok");
  ASSERT_NE(reqs[2].request.query_value("continue"), nullptr);
  EXPECT_EQ(*reqs[2].request.query_value("continue"), "tok");
}

TEST_F(WatcherTest, OtherInStreamErrorResumesFromSameVersion) {
  Watcher w(client_, config());
  list_and_start(w, "10");
  transport_->push_stream(
      {200,
       {line("ERROR", R"({"kind":"Status","code":500,"reason":"InternalError","message":"boom"})")},
       {}});
  auto r = next(w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::ServerError);
  EXPECT_EQ(w.state_name(), "Watching");
  EXPECT_EQ(w.resource_version(), "10");
}

TEST_F(WatcherTest, ProjectionKeepsOnlyMaskedFieldsPlusMetadata) {
  auto cfg = config();
  cfg.mask = FieldMask{"data.k"};
  Watcher w(client_, cfg);
  transport_->push(
      200,
      list_body(
          {R"({"metadata":{"name":"a","namespace":"ns","resourceVersion":"5","labels":{"x":"y"}},)"
           R"("data":{"k":"v","other":"zzz"}})"},
          "10"));
  expect_kind(w, WatcherEventKind::InitStarted);
  auto r = next(w);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(
      (*r)->objects[0],
      json::parse(
          R"({"metadata":{"name":"a","namespace":"ns","resourceVersion":"5"},"data":{"k":"v"}})"));
}

TEST_F(WatcherTest, RunWatcherBacksOffFrom800msAndDeliversEvents) {
  Watcher w(client_, config());
  for (int i = 0; i < 4; ++i) transport_->push(503, "{}");
  transport_->push(200, list_body({obj("a", "5")}, "10"));
  transport_->push_stream({200, {line("ADDED", obj("b", "11"))}, {}});
  std::vector<WatcherEventKind> kinds;
  std::stop_source stop;
  BackoffPolicy policy;
  Backoff backoff(policy, clock_, random_);
  run_watcher(w, backoff, clock_, stop.get_token(), [&](WatcherEvent&& ev) {
    kinds.push_back(ev.kind);
    if (ev.kind == WatcherEventKind::Apply) stop.request_stop();
  });
  EXPECT_THAT(kinds,
              ::testing::ElementsAre(WatcherEventKind::InitStarted, WatcherEventKind::InitPage,
                                     WatcherEventKind::InitDone, WatcherEventKind::Apply));
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(milliseconds(800), milliseconds(1600),
                                                      milliseconds(3200), milliseconds(6400)));
}

// Like client-go's reflector: each watch asks for a timeout in [5, 10) min.
TEST_F(WatcherTest, WatchTimeoutIsSpreadOverFiveToTenMinutes) {
  Watcher w(client_, config());
  w.resume_from("10");
  std::vector<std::string> seen;
  for (double r : {0.0, 0.999}) {
    random_.set(r);
    transport_->push_stream({200, {line("ADDED", obj("c", "11"))}, {}});
    expect_kind(w, WatcherEventKind::Apply, 1);
    (void)next(w);  // the clean end of that stream
    seen.push_back(*transport_->requests().back().request.query_value("timeoutSeconds"));
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("300", "599"));
}

std::string too_large_status() {
  return R"j({"kind":"Status","apiVersion":"v1","status":"Failure","message":"Timeout: Too large )j"
         R"j(resource version: 99, current: 10","reason":"Timeout","details":{"causes":[{"reason":)j"
         R"j("ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},)j"
         R"j("code":504})j";
}

// A resumed version the server has not reached (an etcd restore, a
// persisted position from another cluster): relist from "" instead of
// asking for the same version forever, as client-go's reflector does.
TEST_F(WatcherTest, ResourceVersionTooLargeOnWatchOpenRelistsFromScratch) {
  Watcher w(client_, config());
  w.resume_from("99");
  transport_->push_stream({504, {too_large_status()}, {}});
  auto r = next(w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout);
  EXPECT_EQ(w.state_name(), "Empty");
  transport_->push(200, list_body({obj("a", "5")}, "10"));
  expect_kind(w, WatcherEventKind::InitStarted);
  expect_kind(w, WatcherEventKind::InitPage, 1);
  auto list = transport_->requests().back().request;
  EXPECT_EQ(list.query_value("watch"), nullptr);
  EXPECT_EQ(list.query_value("resourceVersion"), nullptr);
}

// Recognised by its cause alone (the message is for people).
TEST_F(WatcherTest, ResourceVersionTooLargeInStreamRelists) {
  Watcher w(client_, config());
  w.resume_from("99");
  auto status = json::parse(too_large_status());
  status["message"] = "Timeout";
  transport_->push_stream({200, {line("ERROR", status.dump())}, {}});
  EXPECT_FALSE(next(w));
  EXPECT_EQ(w.state_name(), "Empty");
}

// A server that closes every watch at once must not be hammered: an empty
// watch that lasted under a second counts as an error and is backed off.
TEST_F(WatcherTest, VeryShortEmptyWatchesBackOffInsteadOfSpinning) {
  Watcher w(client_, config());
  w.resume_from("10");
  for (int i = 0; i < 200; ++i) transport_->push_stream({200, {}, {}});
  transport_->push_stream({200, {line("ADDED", obj("b", "11"))}, {}});
  std::stop_source stop;
  Backoff backoff(BackoffPolicy{}, clock_, random_);
  run_watcher(w, backoff, clock_, stop.get_token(), [&](WatcherEvent&& ev) {
    if (ev.kind == WatcherEventKind::Apply) stop.request_stop();
  });
  auto sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), 200u);
  EXPECT_EQ(sleeps[0], milliseconds(800));
  EXPECT_EQ(sleeps[1], milliseconds(1600));
  EXPECT_EQ(sleeps.back(), milliseconds(30'000));
  EXPECT_EQ(transport_->pending_streams(), 0u);
}

// An empty watch that lasted its time (the server's timeoutSeconds with no
// changes and no bookmark) is no error: it is resumed at once.
TEST_F(WatcherTest, LongEmptyWatchIsResumedWithoutBackoff) {
  Watcher w(client_, config());
  w.resume_from("10");
  transport_->push_stream({200, {}, {}});
  EXPECT_TRUE(w.step());  // opens
  clock_.advance(std::chrono::seconds(1));
  auto r = w.step();  // reads the end
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_FALSE(*r);
}

}  // namespace
}  // namespace k8s
