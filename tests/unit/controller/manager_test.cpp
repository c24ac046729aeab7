// The manager's lifecycle with scripted parts: readiness after sync, workers
// only while leading, a stop that finishes the reconcile in flight, a lost
// lease that cancels it. Waits are bounded (kBound) and wake on events; the
// manager's clock is a fake, so its own waits never sleep.
#include "controller/manager.h"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "k8s/leader_election.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"

namespace controller {
namespace {

using namespace std::chrono_literals;
constexpr auto kBound = 10s;
// A graceful timeout the manager's fake clock, which races ahead while the
// manager waits, does not reach during a test.
constexpr std::chrono::nanoseconds kPatient = std::chrono::hours(1'000'000);

unsigned http_status(std::uint16_t port, const std::string& target) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.expires_after(kBound);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.result_int();
}

// What the test observes and releases, with bounded waits.
class Script {
 public:
  void note(const std::string& what) {
    std::lock_guard lock(mu_);
    log_.push_back(what);
    cv_.notify_all();
  }
  bool wait_for(const std::string& what) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kBound, [&] { return std::ranges::count(log_, what) > 0; });
  }
  void release(const std::string& gate) { note("release " + gate); }
  // Blocks until release(gate) or `stop`; true when released.
  bool gate(const std::string& gate, std::stop_token stop = {}) {
    // Before the lock: a token already stopped runs the callback right here.
    std::stop_callback wake(stop, [this] {
      std::lock_guard l(mu_);
      cv_.notify_all();
    });
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kBound, [&] {
      return stop.stop_requested() || std::ranges::count(log_, "release " + gate) > 0;
    });
    return !stop.stop_requested();
  }
  std::vector<std::string> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> log_;
};

k8s::Error conflict_409() {
  k8s::Error e;
  e.kind = k8s::ErrorKind::Conflict;
  e.http_status = 409;
  return e;
}

class ManagerTest : public ::testing::Test {
 protected:
  k8s::testing::FakeClock clock_;
  WorkQueue queue_{clock_};
  MetricsRegistry registry_;
  OperatorMetrics metrics_{registry_};
  Script script_;
  std::atomic<bool> synced_{false};
  std::stop_source stop_;

  ManagerParts parts() {
    ManagerParts p;
    p.start_caches = [this] { script_.note("caches started"); };
    p.stop_caches = [this] { script_.note("caches stopped"); };
    p.caches_synced = [this] { return synced_.load(); };
    p.reconcile = [this](const std::string& key, const k8s::CallContext&) {
      script_.note("reconcile " + key);
      return ReconcileOutcome{};
    };
    return p;
  }
  std::future<int> run(Manager& m) {
    return std::async(std::launch::async, [this, &m] { return m.run(stop_.get_token()); });
  }
  static ManagerOptions patient() {
    ManagerOptions o;
    o.graceful_timeout = kPatient;
    return o;
  }
  double reconciles(const char* result) { return metrics_.reconciles.with({result}).value(); }
};

TEST_F(ManagerTest, ReadyOnlyAfterEveryCacheSyncedThenWorksAndStopsWithZero) {
  ManagerOptions options;
  options.health_probes = HttpServerOptions{};
  options.metrics = HttpServerOptions{};
  Manager m(parts(), options, queue_, registry_, metrics_, clock_);
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("caches started"));
  queue_.add("Deployment/shop/web");
  ASSERT_NE(m.health_port(), 0);
  EXPECT_EQ(http_status(m.health_port(), "/healthz"), 200u);
  EXPECT_EQ(http_status(m.health_port(), "/readyz"), 503u);
  EXPECT_FALSE(m.leading());
  synced_ = true;
  ASSERT_TRUE(script_.wait_for("reconcile Deployment/shop/web"));
  EXPECT_EQ(http_status(m.health_port(), "/readyz"), 200u);
  EXPECT_EQ(http_status(m.metrics_port(), "/metrics"), 200u);
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  EXPECT_TRUE(script_.wait_for("caches stopped"));
  EXPECT_EQ(reconciles("success"), 1);
}

TEST_F(ManagerTest, OutcomesAreCountedAndRequeued) {
  auto p = parts();
  std::atomic<int> calls{0};
  std::atomic<int> seen_later{0};
  p.reconcile = [&](const std::string& key, const k8s::CallContext&) {
    ReconcileOutcome out;
    if (key == "bad") out.error = k8s::Error{};
    if (key == "later") out.requeue_after = 1h;
    if (key == "later" && seen_later++ == 1) script_.note("again later");
    script_.note("reconcile " + key + " " + std::to_string(++calls));
    return out;
  };
  synced_ = true;
  ManagerOptions options;
  options.workers = 1;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("bad");
  queue_.add("later");
  queue_.add("fine");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile fine 3"));
  // The requeue-after key comes back too (the fake clock's timer makes it due).
  ASSERT_TRUE(script_.wait_for("again later"));
  // The failed key comes back (rate limited); the fake clock's timer makes it due.
  ASSERT_TRUE(script_.wait_for("reconcile bad 4"));
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  EXPECT_GE(reconciles("error"), 2);
  EXPECT_GE(reconciles("requeue"), 1);
  EXPECT_EQ(reconciles("success"), 1);
}

TEST_F(ManagerTest, AConflictIsRequeuedAndCountedApartFromErrors) {
  auto p = parts();
  std::atomic<int> calls{0};
  p.reconcile = [&](const std::string& key, const k8s::CallContext&) {
    ReconcileOutcome out;
    if (++calls == 1) out.error = conflict_409();
    script_.note("reconcile " + key + " " + std::to_string(calls.load()));
    return out;
  };
  synced_ = true;
  ManagerOptions options;
  options.workers = 1;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("stale");
  auto done = run(m);
  // Back again (rate limited; the fake clock's timer makes it due), then fine.
  ASSERT_TRUE(script_.wait_for("reconcile stale 2"));
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  EXPECT_EQ(reconciles("conflict"), 1);
  EXPECT_EQ(reconciles("error"), 0);
  EXPECT_EQ(reconciles("success"), 1);
}

// A conflict that keeps coming back is no cache lag: after
// conflicts_before_error in a row it counts, and is logged, as an error.
TEST_F(ManagerTest, AConflictThatKeepsComingBackCountsAsAnError) {
  auto p = parts();
  std::atomic<int> calls{0};
  p.reconcile = [&](const std::string& key, const k8s::CallContext&) {
    ReconcileOutcome out;
    if (++calls <= 5) out.error = conflict_409();
    script_.note("reconcile " + key + " " + std::to_string(calls.load()));
    return out;
  };
  synced_ = true;
  ManagerOptions options;
  options.workers = 1;
  options.conflicts_before_error = 3;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("stuck");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile stuck 6"));
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  EXPECT_EQ(reconciles("conflict"), 3);
  EXPECT_EQ(reconciles("error"), 2);
  EXPECT_EQ(reconciles("success"), 1);
  EXPECT_EQ(queue_.num_requeues("stuck"), 0) << "a success forgets the key's failures";
}

TEST_F(ManagerTest, AStopFinishesTheReconcileInFlightAndTakesNoMoreKeys) {
  auto p = parts();
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  synced_ = true;
  ManagerOptions options;
  options.workers = 1;
  options.graceful_timeout = kPatient;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("first");
  queue_.add("second");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile first"));
  stop_.request_stop();
  EXPECT_EQ(done.wait_for(100ms), std::future_status::timeout);  // waits for the reconcile
  script_.release("first");
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  auto log = script_.log();
  EXPECT_EQ(std::ranges::count(log, "finished first"), 1);
  EXPECT_EQ(std::ranges::count(log, "reconcile second"), 0);
}

// An elector scripted by the test: leads when released, and on a stop
// request stops leading before it "releases the lease".
void scripted_election(Script& script, std::stop_token stop, k8s::LeaderCallbacks cb) {
  if (!script.gate("lead", stop)) return;
  cb.on_started_leading();
  script.note("leading");
  if (script.gate("lose", stop)) {
    cb.on_stopped_leading();  // lost
    script.note("lost");
    return;
  }
  cb.on_stopped_leading();
  script.note("lease released");
}

TEST_F(ManagerTest, WorkersRunOnlyWhileLeadingAndTheLeaseIsReleasedAfterTheLastReconcile) {
  auto p = parts();
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    scripted_election(script_, s, std::move(cb));
  };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note("finished " + key);
    return ReconcileOutcome{};
  };
  p.sample = [this](std::stop_token s) {
    script_.note("sampling");
    script_.gate("never", s);
    script_.note("sampler stopped");
  };
  synced_ = true;
  Manager m(std::move(p), patient(), queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  EXPECT_FALSE(script_.gate("nothing", [] {
    std::stop_source s;
    s.request_stop();
    return s.get_token();
  }()));
  EXPECT_FALSE(m.leading());
  EXPECT_EQ(std::ranges::count(script_.log(), "reconcile k"), 0);
  EXPECT_EQ(metrics_.leader.with().value(), 0);
  script_.release("lead");
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  ASSERT_TRUE(script_.wait_for("sampling"));
  EXPECT_EQ(metrics_.leader.with().value(), 1);
  stop_.request_stop();
  // The lease is not released while the reconcile in flight goes on.
  EXPECT_EQ(done.wait_for(100ms), std::future_status::timeout);
  EXPECT_EQ(std::ranges::count(script_.log(), "lease released"), 0);
  script_.release("k");
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  auto log = script_.log();
  auto at = [&](const std::string& s) { return std::ranges::find(log, s) - log.begin(); };
  EXPECT_LT(at("finished k"), at("lease released"));
  EXPECT_LT(at("sampler stopped"), at("lease released"));
  EXPECT_EQ(metrics_.leader.with().value(), 0);
}

TEST_F(ManagerTest, ALostLeaseCancelsTheReconcileInFlightAndReturnsOne) {
  auto p = parts();
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    scripted_election(script_, s, std::move(cb));
  };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  synced_ = true;
  Manager m(std::move(p), {}, queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  script_.release("lead");
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  script_.release("lose");
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 1);
  EXPECT_TRUE(script_.wait_for("cancelled k"));
  EXPECT_FALSE(m.leading());
}

TEST_F(ManagerTest, AStopBeforeSyncReturnsZeroWithoutWork) {
  Manager m(parts(), {}, queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("caches started"));
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  EXPECT_FALSE(m.ready());
  EXPECT_EQ(std::ranges::count(script_.log(), "reconcile k"), 0);
}

TEST_F(ManagerTest, AnAddressInUseEndsTheRunWithOne) {
  ManagerOptions first;
  first.health_probes = HttpServerOptions{};
  Manager a(parts(), first, queue_, registry_, metrics_, clock_);
  auto running = run(a);
  ASSERT_TRUE(script_.wait_for("caches started"));
  ManagerOptions second;
  second.health_probes = HttpServerOptions{"127.0.0.1", a.health_port()};
  WorkQueue other_queue{clock_};
  MetricsRegistry other_registry;
  OperatorMetrics other_metrics{other_registry};
  Manager b(parts(), second, other_queue, other_registry, other_metrics, clock_);
  EXPECT_EQ(b.run({}), 1);
  stop_.request_stop();
  ASSERT_EQ(running.wait_for(kBound), std::future_status::ready);
}

TEST_F(ManagerTest, ALeaseNoLongerHeldStopsTheWorkEvenIfTheElectorIsStuck) {
  auto p = parts();
  std::atomic<bool> held{true};
  // The elector leads, then hangs: it never reports the loss itself.
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    cb.on_started_leading();
    script_.gate("never", s);
    cb.on_stopped_leading();
  };
  p.still_leading = [&] { return held.load(); };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  synced_ = true;
  ManagerOptions options;
  options.workers = 1;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  held = false;
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 1);
  EXPECT_TRUE(script_.wait_for("cancelled k"));
}

TEST_F(ManagerTest, NoKeyIsReconciledOnceTheLeaseIsNoLongerHeld) {
  auto p = parts();
  std::atomic<bool> held{false};
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    cb.on_started_leading();
    script_.gate("never", s);
    cb.on_stopped_leading();
  };
  p.still_leading = [&] { return held.load(); };
  synced_ = true;
  Manager m(std::move(p), {}, queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 1);
  EXPECT_EQ(std::ranges::count(script_.log(), "reconcile k"), 0);
}

// A Lease kept the way the API server keeps it (resourceVersion checked on
// update). A renewal by `me` after `target` is set is noted once; a write
// that empties the holder is noted as the release.
class LeaseServer {
 public:
  explicit LeaseServer(Script& script) : script_(script) {}
  k8s::Result<k8s::HttpResponse> handle(const k8s::Request& req) {
    std::lock_guard lock(mu_);
    auto status = [](int code, const std::string& reason) {
      return k8s::HttpResponse{
          code, {}, nlohmann::json{{"kind", "Status"}, {"code", code}, {"reason", reason}}.dump()};
    };
    if (req.method == k8s::Method::Get) {
      if (lease_.is_null()) return status(404, "NotFound");
      return k8s::HttpResponse{200, {}, lease_.dump()};
    }
    auto body = nlohmann::json::parse(req.body);
    if (req.method == k8s::Method::Post && !lease_.is_null()) return status(409, "AlreadyExists");
    if (req.method != k8s::Method::Post &&
        body["metadata"]["resourceVersion"] != lease_["metadata"]["resourceVersion"]) {
      return status(409, "Conflict");
    }
    body["metadata"]["resourceVersion"] = std::to_string(++rv_);
    lease_ = body;
    const auto holder = body["spec"].value("holderIdentity", "");
    if (holder.empty()) script_.note("lease released");
    if (holder == "me" && ++renewals_ == target_) script_.note("renewed during the drain");
    return k8s::HttpResponse{200, {}, lease_.dump()};
  }
  // Notes "renewed during the drain" after `n` more renewals.
  void expect_renewals(int n) {
    std::lock_guard lock(mu_);
    target_ = renewals_ + n;
  }

 private:
  Script& script_;
  std::mutex mu_;
  nlohmann::json lease_;
  int rv_ = 0;
  int renewals_ = 0;
  int target_ = -1;
};

// Finding 2: the drain runs while the real elector still renews the lease,
// and the lease is released only after the reconcile in flight finished.
TEST_F(ManagerTest, AStopDrainsWhileTheElectorStillRenewsAndReleasesTheLeaseAfter) {
  LeaseServer server(script_);
  auto transport = std::make_shared<k8s::testing::FakeTransport>();
  transport->set_handler([&](const k8s::Request& r) { return server.handle(r); });
  // The elector's own fake time: the manager's waits do not age the lease.
  k8s::testing::FakeClock lease_clock;
  k8s::testing::FixedRandom random{0.0};
  k8s::ClientOptions single;
  single.qps = 0;
  single.max_attempts = 1;
  k8s::ApiClient client(transport, nullptr, lease_clock, random, single);
  auto p = parts();
  p.elect = [&](std::stop_token s, k8s::LeaderCallbacks cb) {
    auto e = k8s::LeaderElector::create(client, {"kube-system", "rightsizer", "me"}, std::move(cb));
    ASSERT_TRUE(e);
    (*e)->run(s);
  };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  synced_ = true;
  Manager m(std::move(p), patient(), queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  stop_.request_stop();
  server.expect_renewals(3);
  EXPECT_TRUE(script_.wait_for("renewed during the drain"));
  EXPECT_EQ(std::ranges::count(script_.log(), "lease released"), 0);
  script_.release("k");
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  auto log = script_.log();
  auto at = [&](const std::string& s) { return std::ranges::find(log, s) - log.begin(); };
  EXPECT_LT(at("finished k"), at("lease released"));
  EXPECT_LT(at("lease released"), std::ssize(log));
}

// Finding 2: a drain past the graceful timeout cancels the calls in flight,
// still before the lease is released.
TEST_F(ManagerTest, ADrainPastTheGracefulTimeoutCancelsTheCallsInFlightBeforeTheRelease) {
  auto p = parts();
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    scripted_election(script_, s, std::move(cb));
  };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);  // never released: only a cancel ends it
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  synced_ = true;
  ManagerOptions options;
  options.graceful_timeout = 30s;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  script_.release("lead");
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  const auto stopped_at = clock_.now();
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  EXPECT_GE(clock_.now() - stopped_at, 30s);
  auto log = script_.log();
  auto at = [&](const std::string& s) { return std::ranges::find(log, s) - log.begin(); };
  EXPECT_LT(at("cancelled k"), at("lease released"));
  EXPECT_LT(at("lease released"), std::ssize(log));
}

// Findings 3 and 6: learning, then events, are flushed after the drain and
// before the lease is released.
TEST_F(ManagerTest, ACleanStopFlushesLearningThenEventsBeforeTheLeaseIsReleased) {
  auto p = parts();
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    scripted_election(script_, s, std::move(cb));
  };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note("finished " + key);
    return ReconcileOutcome{};
  };
  std::optional<k8s::Clock::Monotonic> flush_deadline;
  p.flush_learning = [&](const k8s::CallContext& ctx) {
    flush_deadline = ctx.deadline;
    script_.note(ctx.stop.stop_requested() ? "flush cancelled" : "flushed learning");
  };
  p.flush_events = [this](std::chrono::milliseconds budget) {
    script_.note("flushed events " + std::to_string(budget.count()));
  };
  synced_ = true;
  Manager m(std::move(p), patient(), queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  script_.release("lead");
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  const auto stopped_at = clock_.now();
  stop_.request_stop();
  script_.release("k");
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 0);
  auto log = script_.log();
  auto at = [&](const std::string& s) { return std::ranges::find(log, s) - log.begin(); };
  EXPECT_LT(at("finished k"), at("flushed learning"));
  EXPECT_LT(at("flushed learning"), at("flushed events 2000"));
  EXPECT_LT(at("flushed events 2000"), at("lease released"));
  EXPECT_LT(at("lease released"), std::ssize(log));
  ASSERT_TRUE(flush_deadline.has_value());
  EXPECT_GT(*flush_deadline, stopped_at);
  // The flush is bounded by the graceful timeout counted from the stop.
  EXPECT_GE(*flush_deadline - stopped_at, kPatient);
  EXPECT_LT(*flush_deadline - stopped_at, kPatient + 1h);
}

// Findings 2, 3 and 6: the lease is checked during the drain; a loss there
// cancels the call in flight and nothing is flushed.
TEST_F(ManagerTest, ALeaseLostDuringTheDrainCancelsAndFlushesNothing) {
  auto p = parts();
  std::atomic<bool> held{true};
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    cb.on_started_leading();
    script_.gate("never", s);  // a stuck elector: only the lease check sees the loss
    cb.on_stopped_leading();
  };
  p.still_leading = [&] { return held.load(); };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  p.flush_learning = [this](const k8s::CallContext&) { script_.note("flushed learning"); };
  p.flush_events = [this](std::chrono::milliseconds) { script_.note("flushed events"); };
  synced_ = true;
  Manager m(std::move(p), patient(), queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  stop_.request_stop();
  EXPECT_EQ(done.wait_for(50ms), std::future_status::timeout);  // draining
  held = false;
  // Well before the gate's own bound: the loss, not a time-out, ends the drain.
  ASSERT_EQ(done.wait_for(kBound / 2), std::future_status::ready);
  EXPECT_EQ(done.get(), 1);
  auto log = script_.log();
  EXPECT_EQ(std::ranges::count(log, "cancelled k"), 1);
  EXPECT_EQ(std::ranges::count(log, "flushed learning"), 0);
  EXPECT_EQ(std::ranges::count(log, "flushed events"), 0);
}

// The elector itself reporting a loss during the drain is a loss too: the
// call in flight is cancelled and nothing is flushed.
TEST_F(ManagerTest, TheElectorReportingALossDuringTheDrainCancelsAndFlushesNothing) {
  auto p = parts();
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    scripted_election(script_, s, std::move(cb));
  };
  p.reconcile = [this](const std::string& key, const k8s::CallContext& ctx) {
    script_.note("reconcile " + key);
    script_.gate(key, ctx.stop);
    script_.note(ctx.stop.stop_requested() ? "cancelled " + key : "finished " + key);
    return ReconcileOutcome{};
  };
  p.flush_learning = [this](const k8s::CallContext&) { script_.note("flushed learning"); };
  synced_ = true;
  Manager m(std::move(p), patient(), queue_, registry_, metrics_, clock_);
  queue_.add("k");
  auto done = run(m);
  script_.release("lead");
  ASSERT_TRUE(script_.wait_for("reconcile k"));
  stop_.request_stop();
  EXPECT_EQ(done.wait_for(50ms), std::future_status::timeout);  // draining
  script_.release("lose");
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(done.get(), 1);
  auto log = script_.log();
  EXPECT_EQ(std::ranges::count(log, "cancelled k"), 1);
  EXPECT_EQ(std::ranges::count(log, "flushed learning"), 0);
}

// Finding 8: learning is restored before the sampler's first pass.
TEST_F(ManagerTest, LearningIsRestoredBeforeTheSamplerStarts) {
  auto p = parts();
  p.elect = [this](std::stop_token s, k8s::LeaderCallbacks cb) {
    scripted_election(script_, s, std::move(cb));
  };
  p.restore = [this] { script_.note("restored"); };
  p.sample = [this](std::stop_token) { script_.note("sampling"); };
  synced_ = true;
  Manager m(std::move(p), {}, queue_, registry_, metrics_, clock_);
  auto done = run(m);
  EXPECT_EQ(std::ranges::count(script_.log(), "restored"), 0);  // not before leading
  script_.release("lead");
  ASSERT_TRUE(script_.wait_for("sampling"));
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  auto log = script_.log();
  auto at = [&](const std::string& s) { return std::ranges::find(log, s) - log.begin(); };
  EXPECT_EQ(std::ranges::count(log, "restored"), 1);
  EXPECT_LT(at("restored"), at("sampling"));
}

// Finding 12: a create that found the object already there comes back as a
// short requeue without error: counted as "requeue", not rate limited.
TEST_F(ManagerTest, ARequeueWithoutErrorIsCountedAsRequeueAndComesBackAfterItsDelay) {
  auto p = parts();
  std::atomic<int> calls{0};
  p.reconcile = [&](const std::string& key, const k8s::CallContext&) {
    script_.note("reconcile " + key + " " + std::to_string(++calls));
    ReconcileOutcome out;
    out.requeue_after = 2s;
    return out;
  };
  synced_ = true;
  ManagerOptions options;
  options.workers = 1;
  Manager m(std::move(p), options, queue_, registry_, metrics_, clock_);
  queue_.add("Deployment/ns/w");
  auto done = run(m);
  ASSERT_TRUE(script_.wait_for("reconcile Deployment/ns/w 2"));
  stop_.request_stop();
  ASSERT_EQ(done.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(reconciles("error"), 0);
  EXPECT_GE(reconciles("requeue"), 2);
  EXPECT_EQ(reconciles("success"), 0);
}

}  // namespace
}  // namespace controller
