// UsageSampler with a FakeClusterView, a scripted UsageSource and a FakeClock.
#include "controller/usage_sampler.h"

#include <gtest/gtest.h>

#include <map>
#include <stop_token>

#include "fake_cluster_view.h"
#include "k8s/testing/fake_clock.h"

namespace controller {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::FakeClusterView;

const policies::Time kT0{seconds(1'700'000'000)};

// Answers each namespace's list from a script; records the lists asked for.
class ScriptedUsageSource final : public UsageSource {
 public:
  k8s::Result<std::vector<PodSample>> list(std::string_view ns, const k8s::CallContext&) override {
    lists.emplace_back(ns);
    if (on_list) on_list();
    auto it = answers.find(std::string(ns));
    if (it == answers.end()) return std::vector<PodSample>{};
    return it->second;
  }
  std::map<std::string, k8s::Result<std::vector<PodSample>>> answers;
  std::vector<std::string> lists;
  std::function<void()> on_list;
};

Workload workload(WorkloadKind kind, const std::string& ns, const std::string& name,
                  std::optional<std::string> policy) {
  Workload w;
  w.ref = {kind, ns, name};
  w.uid = name + "-uid";
  w.policy = std::move(policy);
  w.containers = {{"main", {}}};
  return w;
}

PodInfo pod(const std::string& ns, const std::string& name, bool canary = false) {
  PodInfo p;
  p.namespace_name = ns;
  p.name = name;
  p.uid = name + "-uid";
  p.canary = canary;
  p.phase = "Running";
  return p;
}

PodSample sample(const std::string& ns, const std::string& name, policies::Time at,
                 std::int64_t cpu, std::int64_t memory = 64 << 20) {
  return {ns, name, at, seconds(15), {{"main", cpu, memory}}};
}

PolicyObject policy(const std::string& ns, const std::string& name, const std::string& half_life) {
  PolicyObject p;
  p.namespace_name = ns;
  p.name = name;
  p.parsed = policies::parse_policy_object(
      nlohmann::json{{"apiVersion", "rightsizer.io/v1alpha1"},
                     {"kind", "RightsizePolicy"},
                     {"metadata", {{"name", name}}},
                     {"spec", {{"history", {{"halfLife", half_life}}}}}});
  return p;
}

class UsageSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    view_.put(workload(WorkloadKind::Deployment, "trading", "engine", "p"));
    view_.put(workload(WorkloadKind::StatefulSet, "risk", "guardian", "p"));
    view_.put(workload(WorkloadKind::Deployment, "trading", "plain", std::nullopt));
    view_.put(workload(WorkloadKind::Deployment, "quiet", "unannotated", std::nullopt));
    view_.put(pod("trading", "engine-1"), engine_);
    view_.put(pod("trading", "engine-canary", true), engine_);
    view_.put(pod("trading", "plain-1"), WorkloadRef{WorkloadKind::Deployment, "trading", "plain"});
    view_.put(pod("trading", "orphan"), std::nullopt);
    view_.put(pod("risk", "guardian-0"), guardian_);
    source_.answers.emplace("trading", std::vector<PodSample>{
                                           sample("trading", "engine-1", kT0, 300),
                                           sample("trading", "engine-canary", kT0, 2000),
                                           sample("trading", "plain-1", kT0, 50),
                                           sample("trading", "orphan", kT0, 70),
                                           sample("trading", "not-cached", kT0, 80),
                                       });
    source_.answers.emplace("risk",
                            std::vector<PodSample>{sample("risk", "guardian-0", kT0, 1200)});
  }

  UsageSampler sampler() { return UsageSampler(view_, source_, store_, clock_); }

  const WorkloadRef engine_{WorkloadKind::Deployment, "trading", "engine"};
  const WorkloadRef guardian_{WorkloadKind::StatefulSet, "risk", "guardian"};
  FakeClusterView view_;
  ScriptedUsageSource source_;
  UsageStore store_;
  k8s::testing::FakeClock clock_;
};

TEST_F(UsageSamplerTest, ListsOnlyNamespacesWithAnnotatedWorkloadsOnceEach) {
  view_.put(workload(WorkloadKind::Deployment, "trading", "engine-2", "p"));
  auto gone = workload(WorkloadKind::Deployment, "leaving", "old", "p");
  gone.deleting = true;
  view_.put(gone);
  auto s = sampler();
  auto pass = s.sample_once({});
  EXPECT_EQ(source_.lists, (std::vector<std::string>{"risk", "trading"}));
  EXPECT_TRUE(pass.failed_namespaces.empty());
}

TEST_F(UsageSamplerTest, MapsPodsThroughTheirOwnerAndIgnoresUnannotatedOnes) {
  auto s = sampler();
  auto pass = s.sample_once({});
  EXPECT_EQ(pass.samples, 3);  // engine-1, engine-canary, guardian-0
  EXPECT_EQ(pass.sampled, (std::vector<WorkloadRef>{engine_, guardian_}));

  auto engine = store_.usage({engine_, "main"});
  ASSERT_TRUE(engine.has_value());
  EXPECT_EQ(engine->samples(), 1);
  EXPECT_EQ(engine->cpu_peak_millicores(), 300);  // the canary's 2000 is kept apart
  ASSERT_TRUE(store_.canary_usage({engine_, "main"}).has_value());
  EXPECT_EQ(store_.canary_usage({engine_, "main"})->cpu_peak_millicores(), 2000);
  EXPECT_EQ(store_.usage({guardian_, "main"})->cpu_peak_millicores(), 1200);
  EXPECT_FALSE(store_.usage({{WorkloadKind::Deployment, "trading", "plain"}, "main"}).has_value());
  EXPECT_EQ(store_.containers(), 3u);
}

TEST_F(UsageSamplerTest, APodIsMappedByOwnerNotByItsName) {
  // Named like the engine's pods but owned by "plain": its usage is not the engine's.
  view_.put(pod("trading", "engine-2"), WorkloadRef{WorkloadKind::Deployment, "trading", "plain"});
  source_.answers.at("trading") = std::vector<PodSample>{sample("trading", "engine-2", kT0, 999)};
  auto s = sampler();
  auto pass = s.sample_once({});
  EXPECT_EQ(pass.samples, 1);  // guardian-0 only
  EXPECT_FALSE(store_.usage({engine_, "main"}).has_value());
}

TEST_F(UsageSamplerTest, APodSampleWithoutContainersSamplesNothing) {
  source_.answers.at("trading") =
      std::vector<PodSample>{{"trading", "engine-1", kT0, seconds(15), {}}};
  auto s = sampler();
  auto pass = s.sample_once({});
  EXPECT_EQ(pass.sampled, (std::vector<WorkloadRef>{guardian_}));
  EXPECT_EQ(pass.samples, 1);
  EXPECT_FALSE(store_.usage({engine_, "main"}).has_value());
}

TEST_F(UsageSamplerTest, ASampleWithARepeatedTimestampIsNotAddedTwice) {
  auto s = sampler();
  EXPECT_EQ(s.sample_once({}).samples, 3);
  auto again = s.sample_once({});
  EXPECT_EQ(again.samples, 0);
  EXPECT_TRUE(again.sampled.empty());
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 1);

  // An older timestamp (metrics-server restarted with a stale window) adds nothing either.
  source_.answers.at("trading") =
      std::vector<PodSample>{sample("trading", "engine-1", kT0 - seconds(15), 100)};
  EXPECT_EQ(s.sample_once({}).samples, 0);

  source_.answers.at("trading") =
      std::vector<PodSample>{sample("trading", "engine-1", kT0 + seconds(15), 400)};
  auto next = s.sample_once({});
  EXPECT_EQ(next.samples, 1);
  EXPECT_EQ(next.sampled, (std::vector<WorkloadRef>{engine_}));
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 2);
}

TEST_F(UsageSamplerTest, ARecreatedPodWithTheSameNameAndTimestampIsSampled) {
  auto s = sampler();
  (void)s.sample_once({});
  auto replacement = pod("trading", "engine-1");
  replacement.uid = "engine-1-second-uid";
  view_.put(replacement, engine_);
  EXPECT_EQ(s.sample_once({}).samples, 1);
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 2);
}

TEST_F(UsageSamplerTest, APodLeftOutOfOneListIsNotSampledTwiceWhenItReturns) {
  auto s = sampler();
  (void)s.sample_once({});
  auto all = source_.answers.at("trading");
  source_.answers.at("trading") = std::vector<PodSample>{};
  EXPECT_EQ(s.sample_once({}).samples, 0);  // guardian-0 repeats its timestamp
  // metrics-server answers the same scrape again: it is the same sample.
  source_.answers.at("trading") = all;
  EXPECT_EQ(s.sample_once({}).samples, 0);
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 1);
  // A newer scrape is taken.
  source_.answers.at("trading") =
      std::vector<PodSample>{sample("trading", "engine-1", kT0 + seconds(15), 300)};
  EXPECT_EQ(s.sample_once({}).samples, 1);
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 2);
}

TEST_F(UsageSamplerTest, APodGoneFromTheCacheIsNoLongerRemembered) {
  auto s = sampler();
  (void)s.sample_once({});
  EXPECT_EQ(s.tracked_pods(), 3u);  // engine-1, engine-canary, guardian-0
  // Left out of the list but still in the cache: remembered.
  source_.answers.at("trading") = std::vector<PodSample>{};
  (void)s.sample_once({});
  EXPECT_EQ(s.tracked_pods(), 3u);
  // Deleted: forgotten at the namespace's next list.
  view_.erase_pod("trading", "engine-1");
  (void)s.sample_once({});
  EXPECT_EQ(s.tracked_pods(), 2u);
  // Replaced by a pod of that name with another uid: forgotten too.
  auto replacement = pod("trading", "engine-canary", true);
  replacement.uid = "engine-canary-second-uid";
  view_.put(replacement, engine_);
  (void)s.sample_once({});
  EXPECT_EQ(s.tracked_pods(), 1u);
}

TEST_F(UsageSamplerTest, AForgetDuringAPassDropsThatPassesSamples) {
  // The reconciler forgets the engine (annotation removed) while the pass lists.
  source_.on_list = [this] {
    if (source_.lists.back() == "trading") store_.forget(engine_);
  };
  auto s = sampler();
  const auto pass = s.sample_once({});
  EXPECT_FALSE(store_.usage({engine_, "main"}).has_value());
  EXPECT_FALSE(store_.canary_usage({engine_, "main"}).has_value());
  EXPECT_EQ(pass.samples, 1);  // guardian-0
  EXPECT_EQ(pass.sampled, (std::vector<WorkloadRef>{guardian_}));
  // A pass started after the forget learns again.
  source_.on_list = nullptr;
  source_.answers.at("trading") =
      std::vector<PodSample>{sample("trading", "engine-1", kT0 + seconds(15), 300)};
  EXPECT_EQ(s.sample_once({}).samples, 1);
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 1);
}

TEST_F(UsageSamplerTest, TheFirstPassAfterARestoreDoesNotAddTheCheckpointsLastScrapeAgain) {
  policies::ContainerUsage checkpoint(hours(24));
  checkpoint.add_sample(kT0 - seconds(15), 280, 64 << 20);
  checkpoint.add_sample(kT0, 300, 64 << 20);  // the previous leader's last pass
  ASSERT_TRUE(store_.restore({engine_, "main"}, checkpoint));
  auto s = sampler();
  const auto pass = s.sample_once({});
  EXPECT_EQ(pass.samples, 2);  // the engine's canary and guardian-0
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 2);
  source_.answers.at("trading") =
      std::vector<PodSample>{sample("trading", "engine-1", kT0 + seconds(15), 300)};
  EXPECT_EQ(s.sample_once({}).samples, 1);
  EXPECT_EQ(store_.usage({engine_, "main"})->samples(), 3);
}

TEST_F(UsageSamplerTest, ANamespaceWhoseAnnotationsWentAwayStartsOverWhenTheyReturn) {
  auto s = sampler();
  EXPECT_EQ(s.sample_once({}).samples, 3);
  view_.put(workload(WorkloadKind::StatefulSet, "risk", "guardian", std::nullopt));
  EXPECT_EQ(s.sample_once({}).samples, 0);
  EXPECT_EQ(source_.lists.back(), "trading");
  // Meanwhile the reconciler forgot the guardian's usage with its annotation.
  store_.forget(guardian_);
  view_.put(workload(WorkloadKind::StatefulSet, "risk", "guardian", "p"));
  auto pass = s.sample_once({});
  EXPECT_EQ(pass.samples, 1);
  EXPECT_EQ(pass.sampled, (std::vector<WorkloadRef>{guardian_}));
  EXPECT_EQ(store_.usage({guardian_, "main"})->samples(), 1);
}

TEST_F(UsageSamplerTest, AFailingListRecordsAFailureAddsNothingAndOtherNamespacesGoOn) {
  source_.answers.at("trading") = k8s::make_error(k8s::ErrorKind::ServerError, "503 from metrics");
  auto s = sampler();
  auto pass = s.sample_once({});
  EXPECT_EQ(pass.failed_namespaces, (std::vector<std::string>{"trading"}));
  EXPECT_EQ(pass.sampled, (std::vector<WorkloadRef>{guardian_}));
  EXPECT_EQ(pass.samples, 1);
  EXPECT_FALSE(store_.usage({engine_, "main"}).has_value());
  EXPECT_FALSE(store_.canary_usage({engine_, "main"}).has_value());
  auto trading = store_.health("trading");
  EXPECT_TRUE(trading.failing());
  EXPECT_NE(trading.last_error.find("503 from metrics"), std::string::npos);
  EXPECT_EQ(trading.last_failure, std::chrono::floor<seconds>(clock_.wall_now()));
  EXPECT_FALSE(store_.health("risk").failing());
  EXPECT_TRUE(store_.health("risk").last_success.has_value());
}

TEST_F(UsageSamplerTest, AListCancelledByAStopIsNoOutage) {
  std::stop_source stop;
  source_.answers.at("risk") = k8s::make_error(k8s::ErrorKind::Transport, "connection reset");
  source_.on_list = [&] { stop.request_stop(); };
  auto s = sampler();
  auto pass = s.sample_once({stop.get_token(), std::nullopt});
  EXPECT_TRUE(pass.cancelled);
  EXPECT_TRUE(pass.failed_namespaces.empty());
  EXPECT_FALSE(store_.health("risk").failing());
  EXPECT_TRUE(store_.health("risk").last_error.empty());
}

TEST_F(UsageSamplerTest, ACancelledListIsNoOutageAndRunDoesNotReportThePass) {
  source_.answers.at("trading") = k8s::make_error(k8s::ErrorKind::Cancelled, "cancelled");
  std::stop_source stop;
  int reported = 0;
  source_.on_list = [&] {
    if (source_.lists.size() == 4) stop.request_stop();  // during the second pass
  };
  auto s = sampler();
  s.run(stop.get_token(), seconds(30), [&](const SamplingPass&) { ++reported; });
  EXPECT_EQ(reported, 0);
  EXPECT_FALSE(store_.health("trading").failing());
  EXPECT_EQ(clock_.sleeps(), (std::vector<std::chrono::nanoseconds>{seconds(30)}));
}

TEST_F(UsageSamplerTest, TheHealthTimeIsTakenAfterTheList) {
  source_.on_list = [&] { clock_.advance(seconds(7)); };
  auto start = std::chrono::floor<seconds>(clock_.wall_now());
  auto s = sampler();
  (void)s.sample_once({});
  EXPECT_EQ(store_.health("risk").last_success, start + seconds(7));
  EXPECT_EQ(store_.health("trading").last_success, start + seconds(14));
}

TEST_F(UsageSamplerTest, TheHalfLifeIsThePolicysOr24Hours) {
  view_.put(policy("trading", "p", "6h"));
  auto invalid = policy("risk", "p", "6h");
  invalid.parsed.problems.push_back({"spec.cpu", "broken"});
  view_.put(invalid);
  auto s = sampler();
  (void)s.sample_once({});
  EXPECT_EQ(store_.usage({engine_, "main"})->cpu().half_life(), hours(6));
  EXPECT_EQ(store_.canary_usage({engine_, "main"})->cpu().half_life(), hours(6));
  EXPECT_EQ(store_.usage({guardian_, "main"})->cpu().half_life(), hours(24));

  view_.erase_policy("trading", "p");
  source_.answers.at("trading") =
      std::vector<PodSample>{sample("trading", "engine-1", kT0 + seconds(15), 400)};
  (void)s.sample_once({});
  EXPECT_EQ(store_.usage({engine_, "main"})->cpu().half_life(), hours(24));
}

TEST_F(UsageSamplerTest, AStopRequestEndsThePassBeforeTheNextList) {
  std::stop_source stop;
  source_.on_list = [&] { stop.request_stop(); };
  auto s = sampler();
  (void)s.sample_once({stop.get_token(), std::nullopt});
  EXPECT_EQ(source_.lists.size(), 1u);
}

TEST_F(UsageSamplerTest, RunSamplesEveryIntervalOnTheClockUntilStopped) {
  std::stop_source stop;
  source_.on_list = [&] { clock_.advance(seconds(1)); };  // each list takes 1 s
  int passes = 0;
  auto s = sampler();
  s.run(stop.get_token(), seconds(30), [&](const SamplingPass& pass) {
    EXPECT_TRUE(pass.failed_namespaces.empty());
    if (++passes == 3) stop.request_stop();
  });
  EXPECT_EQ(passes, 3);
  // Two waits between three passes, each the interval less the 2 s the pass took.
  EXPECT_EQ(clock_.sleeps(), (std::vector<std::chrono::nanoseconds>{seconds(28), seconds(28)}));
  EXPECT_EQ(source_.lists.size(), 6u);
}

TEST_F(UsageSamplerTest, RunStartsTheNextPassAtOnceAfterAPassLongerThanTheInterval) {
  std::stop_source stop;
  source_.on_list = [&] { clock_.advance(seconds(20)); };
  int passes = 0;
  auto s = sampler();
  s.run(stop.get_token(), seconds(30), [&](const SamplingPass&) {
    if (++passes == 2) stop.request_stop();
  });
  EXPECT_EQ(passes, 2);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(UsageSamplerTest, RunReturnsAtOnceWhenStoppedBeforeItStarts) {
  std::stop_source stop;
  stop.request_stop();
  auto s = sampler();
  int passes = 0;
  s.run(stop.get_token(), seconds(30), [&](const SamplingPass&) { ++passes; });
  EXPECT_EQ(passes, 0);
  EXPECT_TRUE(source_.lists.empty());
  EXPECT_TRUE(clock_.sleeps().empty());
}

}  // namespace
}  // namespace controller
