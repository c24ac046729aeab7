// Name resolution in the HTTPS transport is bounded like every other socket
// step: by the connect timeout, by a call's deadline and by its stop token,
// even when the lookup itself never returns in time (a hung DNS server).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "k8s/api_client.h"
#include "k8s/clock.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"
#include "k8s/name_resolver.h"

namespace k8s {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr auto kWaitBound = seconds(10);  // every wait in these tests ends by then

// A resolver whose lookups block until released (at most 10 s, as a DNS
// server that does not answer), then answer with `addresses` (or an error
// when there are none). Counts lookups started and still running.
class ScriptedResolver final : public NameResolver {
 public:
  explicit ScriptedResolver(bool blocks, std::vector<std::string> addresses = {})
      : blocks_(blocks), addresses_(std::move(addresses)) {}

  Result<std::vector<std::string>> resolve(const std::string& host) override {
    std::unique_lock lock(mu_);
    ++started_;
    ++running_;
    changed_.notify_all();
    if (blocks_) changed_.wait_for(lock, kWaitBound, [&] { return released_; });
    --running_;
    changed_.notify_all();
    if (addresses_.empty()) return make_error(ErrorKind::Transport, host + ": no such host");
    return addresses_;
  }

  bool wait_started(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kWaitBound, [&] { return started_ >= n; });
  }
  // Ends every blocked lookup and waits until none is running.
  bool release_all() {
    std::unique_lock lock(mu_);
    released_ = true;
    changed_.notify_all();
    return changed_.wait_for(lock, kWaitBound, [&] { return running_ == 0; });
  }
  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }

 private:
  bool blocks_;
  std::vector<std::string> addresses_;
  std::mutex mu_;
  std::condition_variable changed_;
  int started_ = 0;
  int running_ = 0;
  bool released_ = false;
};

class NameResolution : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_TRUE(resolver->release_all()); }

  std::shared_ptr<Transport> transport(milliseconds connect_timeout) {
    ClusterConfig cfg;
    EXPECT_TRUE(parse_server_url("https://apiserver.test:6443", "test", cfg));
    TransportOptions opts;
    opts.connect_timeout = connect_timeout;
    opts.resolver = resolver;
    auto t = make_https_transport(cfg, opts);
    EXPECT_TRUE(t) << t.error().describe();
    return t ? *t : nullptr;
  }

  std::shared_ptr<ScriptedResolver> resolver = std::make_shared<ScriptedResolver>(true);
};

TEST_F(NameResolution, AHungLookupTimesOutAtTheConnectTimeout) {
  auto t = transport(milliseconds(300));
  auto started = steady_clock::now();
  auto r = t->send(get_request({resources::configmaps(), "ns", "x", ""}), {});
  auto took = steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().describe();
  EXPECT_NE(r.error().message.find("resolving apiserver.test"), std::string::npos)
      << r.error().describe();
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(1500));  // the lookup blocks for 10 s
}

// Through the client, as a CallContext carries them: a stop ends the wait
// at once, a deadline ends it in time.
TEST_F(NameResolution, ACallsStopEndsAHungLookupPromptly) {
  SystemClock clock;
  SystemRandom random;
  ApiClient api(transport(seconds(30)), nullptr, clock, random);
  std::stop_source stop;
  steady_clock::time_point stopped_at{};
  std::thread stopper([&] {
    if (resolver->wait_started(1)) {
      stopped_at = steady_clock::now();
      stop.request_stop();
    }
  });
  auto r = api.get({resources::configmaps(), "ns", "x", ""}, {stop.get_token(), std::nullopt});
  auto returned_at = steady_clock::now();
  stopper.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Cancelled) << r.error().describe();
  ASSERT_NE(stopped_at, steady_clock::time_point{});
  EXPECT_LT(returned_at - stopped_at, seconds(1));
}

TEST_F(NameResolution, ACallsDeadlineBoundsAHungLookup) {
  SystemClock clock;
  SystemRandom random;
  ApiClient api(transport(seconds(30)), nullptr, clock, random);
  auto started = steady_clock::now();
  auto r = api.get({resources::configmaps(), "ns", "x", ""}, {{}, clock.now() + milliseconds(300)});
  auto took = steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().describe();
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(1500));  // the connect timeout is 30 s, the lookup 10 s
}

// Callers that gave up on a hung lookup leave one thread behind, not one
// each: the next caller waits for the same lookup. Once it has answered, the
// next connection looks the name up afresh.
TEST_F(NameResolution, AbandonedLookupsOfOneHostShareOneThread) {
  auto t = transport(milliseconds(100));
  auto req = get_request({resources::configmaps(), "ns", "x", ""});
  for (int i = 0; i < 5; ++i) {
    auto r = t->send(req, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().describe();
  }
  EXPECT_EQ(resolver->started(), 1);
  ASSERT_TRUE(resolver->release_all());
  // This one may still catch the released lookup's answer, or start its own.
  auto r = t->send(req, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Transport) << r.error().describe();
  EXPECT_NE(r.error().message.find("no such host"), std::string::npos) << r.error().describe();
  int before = resolver->started();
  ASSERT_FALSE(t->send(req, {}));  // every lookup so far has answered
  EXPECT_EQ(resolver->started(), before + 1);
}

// The transport connects to the address the resolver gave, on the
// configured port: a listener that never speaks TLS sees the connection and
// the handshake then times out.
TEST_F(NameResolution, ConnectsToTheResolvedAddress) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  resolver = std::make_shared<ScriptedResolver>(false, std::vector<std::string>{"127.0.0.1"});
  ClusterConfig cfg;
  ASSERT_TRUE(parse_server_url("https://apiserver.test:" + std::to_string(ntohs(addr.sin_port)),
                               "test", cfg));
  TransportOptions opts;
  opts.connect_timeout = milliseconds(300);
  opts.resolver = resolver;
  auto t = make_https_transport(cfg, opts);
  ASSERT_TRUE(t);
  auto r = (*t)->send(get_request({resources::configmaps(), "ns", "x", ""}), {});
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().describe();
  EXPECT_NE(r.error().message.find("TLS handshake"), std::string::npos) << r.error().describe();
  EXPECT_EQ(resolver->started(), 1);
}

TEST(SystemNameResolver, ResolvesLocalhostAndRefusesAnInvalidName) {
  auto resolver = make_system_resolver();
  auto local = resolver->resolve("localhost");
  ASSERT_TRUE(local) << local.error().describe();
  ASSERT_FALSE(local->empty());
  auto bad = resolver->resolve("");  // refused without asking a DNS server
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Transport);
}

}  // namespace
}  // namespace k8s
