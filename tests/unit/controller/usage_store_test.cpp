// UsageStore: learnt usage per workload container, canaries apart,
// checkpoints restored once, sampling health per namespace.
#include "controller/usage_store.h"

#include <gtest/gtest.h>

namespace controller {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const policies::Time kT0{seconds(1'700'000'000)};
const WorkloadRef kEngine{WorkloadKind::Deployment, "trading", "engine"};
const WorkloadRef kGuardian{WorkloadKind::StatefulSet, "trading", "guardian"};
const UsageKey kEngineMain{kEngine, "engine"};
const UsageKey kEngineProxy{kEngine, "proxy"};
const UsageKey kGuardianMain{kGuardian, "scanner"};

TEST(UsageStoreTest, SamplesAccumulatePerContainerWithTheGivenHalfLife) {
  UsageStore store;
  EXPECT_FALSE(store.usage(kEngineMain).has_value());
  store.add_sample(kEngineMain, false, kT0, 300, 100 << 20, hours(2));
  store.add_sample(kEngineMain, false, kT0 + seconds(60), 500, 200 << 20, hours(2));
  store.add_sample(kEngineProxy, false, kT0, 10, 1 << 20, hours(2));
  auto u = store.usage(kEngineMain);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->samples(), 2);
  EXPECT_EQ(u->cpu_peak_millicores(), 500);
  EXPECT_EQ(u->cpu().half_life(), hours(2));
  EXPECT_EQ(store.usage(kEngineProxy)->samples(), 1);
  EXPECT_EQ(store.containers(), 2u);
}

TEST(UsageStoreTest, AChangedHalfLifeAppliesToTheContainerAlreadyLearnt) {
  UsageStore store;
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24));
  store.add_sample(kEngineMain, false, kT0 + seconds(60), 300, 1 << 20, hours(6));
  EXPECT_EQ(store.usage(kEngineMain)->cpu().half_life(), hours(6));
  EXPECT_EQ(store.usage(kEngineMain)->memory().half_life(), hours(6));
}

TEST(UsageStoreTest, CanarySamplesAreKeptApart) {
  UsageStore store;
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24));
  store.add_sample(kEngineMain, true, kT0, 2000, 8 << 20, hours(24));
  store.add_sample(kEngineMain, true, kT0 + seconds(30), 2100, 8 << 20, hours(24));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 1);
  EXPECT_EQ(store.usage(kEngineMain)->cpu_peak_millicores(), 300);
  ASSERT_TRUE(store.canary_usage(kEngineMain).has_value());
  EXPECT_EQ(store.canary_usage(kEngineMain)->samples(), 2);
  EXPECT_EQ(store.canary_usage(kEngineMain)->cpu_peak_millicores(), 2100);
  EXPECT_FALSE(store.canary_usage(kEngineProxy).has_value());
  EXPECT_EQ(store.containers(), 2u);
}

policies::ContainerUsage checkpointed(int samples, std::int64_t cpu) {
  policies::ContainerUsage u(hours(24));
  for (int i = 0; i < samples; ++i) u.add_sample(kT0 - hours(10) + seconds(60 * i), cpu, 1 << 20);
  return u;
}

// The kill's need comes from the usage peak of its interval, never from an
// earlier kill's need: the same kill recorded again does not compound.
TEST(UsageStoreTest, AnOomKillIsRecordedFromTheUsagePeakWithoutCompounding) {
  UsageStore store;
  const policies::OomKill kill{std::int64_t{1} << 30, std::nullopt, kT0 + seconds(120)};
  for (int i = 0; i < 5; ++i)
    store.add_sample(kEngineMain, false, kT0 + seconds(60 * i), 100, std::int64_t{3} << 29,
                     hours(24));
  // No limit: memory at the kill is max(request 1Gi, usage peak 1.5Gi);
  // needed max(1.5Gi + 100Mi, 1.5Gi × 1.5) = 2.25Gi.
  ASSERT_TRUE(store.record_oom(kEngineMain, kill, 1.5, hours(24)));
  const auto needed = store.usage(kEngineMain)->memory_interval_oom_bytes();
  EXPECT_EQ(needed, policies::oom_floor_bytes(kill, std::int64_t{3} << 29, 1.5));
  EXPECT_EQ(needed, std::int64_t{9} << 28);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(store.record_oom(kEngineMain, kill, 1.5, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->memory_interval_oom_bytes(), needed);
  // The pod keeps reporting the kill while usage grows after it: the kill
  // is not sized again from the later peak (VPA records a kill once).
  store.add_sample(kEngineMain, false, kT0 + seconds(300), 100, std::int64_t{2} << 30, hours(24));
  EXPECT_FALSE(store.record_oom(kEngineMain, kill, 1.5, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->memory_interval_oom_bytes(), needed);
  // A later kill is recorded, from the peak of its moment: 2Gi × 1.5.
  const policies::OomKill later{std::int64_t{1} << 30, std::nullopt, kT0 + seconds(360)};
  EXPECT_TRUE(store.record_oom(kEngineMain, later, 1.5, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->memory_interval_oom_bytes(), std::int64_t{3} << 30);
  // Forgetting the workload forgets the kills seen: a new one is learnt anew.
  store.forget(kEngineMain.workload);
  EXPECT_TRUE(store.record_oom(kEngineMain, later, 1.5, hours(24)));
  EXPECT_FALSE(store.usage(kEngineProxy));
  // A container killed before its first sample starts with the kill:
  // memory at the kill is the request (no usage), 1Gi × 1.5.
  ASSERT_TRUE(store.record_oom(kEngineProxy, kill, 1.5, hours(24)));
  ASSERT_TRUE(store.usage(kEngineProxy));
  EXPECT_EQ(store.usage(kEngineProxy)->samples(), 0);
  EXPECT_EQ(store.usage(kEngineProxy)->memory_interval_oom_bytes(), std::int64_t{3} << 29);
}

// After a restart the pod still reports the kill the restored checkpoint
// holds: it is not sized again (from the usage peak grown since); a later
// kill is.
TEST(UsageStoreTest, AKillTheRestoredCheckpointHoldsIsNotRecordedAgain) {
  const policies::OomKill kill{std::int64_t{1} << 30, std::nullopt, kT0 + seconds(120)};
  policies::ContainerUsage stored(hours(24));
  for (int i = 0; i < 3; ++i) stored.add_sample(kT0 + seconds(60 * i), 100, std::int64_t{3} << 29);
  ASSERT_TRUE(stored.record_oom(kill.at, std::int64_t{9} << 28));  // 1.5Gi × 1.5
  UsageStore store;
  store.add_sample(kEngineMain, false, kT0 + seconds(300), 100, std::int64_t{2} << 30, hours(24));
  ASSERT_TRUE(store.restore(kEngineMain, stored, kill.at));
  EXPECT_FALSE(store.record_oom(kEngineMain, kill, 1.5, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->memory_interval_oom_bytes(), std::int64_t{9} << 28);
  const policies::OomKill later{std::int64_t{1} << 30, std::nullopt, kT0 + seconds(360)};
  EXPECT_TRUE(store.record_oom(kEngineMain, later, 1.5, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->memory_interval_oom_bytes(), std::int64_t{3} << 30);
}

TEST(UsageStoreTest, RestoreMergesUnderTheSamplesSinceStartOnlyOnce) {
  UsageStore store;
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24));
  EXPECT_FALSE(store.restored(kEngineMain));
  EXPECT_TRUE(store.restore(kEngineMain, checkpointed(5, 900)));
  EXPECT_TRUE(store.restored(kEngineMain));
  auto u = store.usage(kEngineMain);
  EXPECT_EQ(u->samples(), 6);
  EXPECT_EQ(u->cpu_peak_millicores(), 900);
  EXPECT_EQ(u->first_sample(), kT0 - hours(10));
  EXPECT_EQ(u->last_sample(), kT0);

  // A second restore (the same checkpoint read again) would double the history.
  EXPECT_FALSE(store.restore(kEngineMain, checkpointed(5, 900)));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 6);
}

TEST(UsageStoreTest, RestoreBeforeAnySampleTakesTheCheckpointAsIs) {
  UsageStore store;
  EXPECT_TRUE(store.restore(kEngineMain, checkpointed(3, 700)));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 3);
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 4);
  EXPECT_FALSE(store.canary_usage(kEngineMain).has_value());
}

TEST(UsageStoreTest, MarkRestoredStopsALaterRestore) {
  UsageStore store;
  store.mark_restored(kEngineMain);
  EXPECT_TRUE(store.restored(kEngineMain));
  EXPECT_FALSE(store.restore(kEngineMain, checkpointed(3, 700)));
  EXPECT_FALSE(store.usage(kEngineMain).has_value());
  EXPECT_FALSE(store.restored(kEngineProxy));
}

TEST(UsageStoreTest, ForgetDropsOneWorkloadEverywhere) {
  UsageStore store;
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24));
  store.add_sample(kEngineProxy, true, kT0, 30, 1 << 20, hours(24));
  store.add_sample(kGuardianMain, false, kT0, 100, 1 << 20, hours(24));
  store.mark_restored(kEngineMain);
  store.mark_restored(kGuardianMain);
  store.forget(kEngine);
  EXPECT_FALSE(store.usage(kEngineMain).has_value());
  EXPECT_FALSE(store.canary_usage(kEngineProxy).has_value());
  EXPECT_FALSE(store.restored(kEngineMain));
  EXPECT_TRUE(store.usage(kGuardianMain).has_value());
  EXPECT_TRUE(store.restored(kGuardianMain));
  EXPECT_EQ(store.containers(), 1u);
  // After the annotation comes back, its checkpoint may be restored again.
  EXPECT_TRUE(store.restore(kEngineMain, checkpointed(1, 100)));
}

TEST(UsageStoreTest, ASampleFromAPassStartedBeforeAForgetIsDropped) {
  UsageStore store;
  const auto before = store.epoch();
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24), before);
  store.forget(kEngine);
  EXPECT_GT(store.epoch(), before);
  EXPECT_FALSE(
      store.add_sample(kEngineMain, false, kT0 + seconds(15), 300, 1 << 20, hours(24), before));
  EXPECT_FALSE(
      store.add_sample(kEngineProxy, true, kT0 + seconds(15), 30, 1 << 20, hours(24), before));
  EXPECT_FALSE(store.usage(kEngineMain).has_value());
  EXPECT_FALSE(store.canary_usage(kEngineProxy).has_value());
  EXPECT_EQ(store.containers(), 0u);
  // Another workload, and a pass that started after the forget, add as usual.
  EXPECT_TRUE(store.add_sample(kGuardianMain, false, kT0, 100, 1 << 20, hours(24), before));
  EXPECT_TRUE(store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24), store.epoch()));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 1);
}

TEST(UsageStoreTest, RetiredForgetsNoLongerDropSamples) {
  UsageStore store;
  const auto before = store.epoch();
  store.forget(kEngine);
  store.retire_forgets(before);  // a pass older than the forget may still run
  EXPECT_FALSE(store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24), before));
  store.retire_forgets(store.epoch());
  EXPECT_TRUE(store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24), before));
}

TEST(UsageStoreTest, ASampleAlreadyInTheRestoredCheckpointIsNotAddedAgain) {
  UsageStore store;
  const auto restored = checkpointed(5, 900);
  const auto last = restored.last_sample();
  ASSERT_TRUE(store.restore(kEngineMain, restored));
  EXPECT_FALSE(store.add_sample(kEngineMain, false, last, 900, 1 << 20, hours(24)));
  EXPECT_FALSE(store.add_sample(kEngineMain, false, last - seconds(1), 900, 1 << 20, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 5);
  EXPECT_TRUE(store.add_sample(kEngineMain, false, last + seconds(1), 900, 1 << 20, hours(24)));
  EXPECT_EQ(store.usage(kEngineMain)->samples(), 6);
  // Canaries are not checkpointed: theirs are all new.
  EXPECT_TRUE(store.add_sample(kEngineMain, true, last, 900, 1 << 20, hours(24)));
  // Forgotten with the workload: a new annotation learns from scratch.
  store.forget(kEngine);
  EXPECT_TRUE(store.add_sample(kEngineMain, false, last, 900, 1 << 20, hours(24)));
}

TEST(UsageStoreTest, HealthTransitionsBetweenFailingAndHealthy) {
  UsageStore store;
  EXPECT_FALSE(store.health("trading").failing());
  EXPECT_FALSE(store.health("trading").last_success.has_value());

  store.record_success("trading", kT0);
  EXPECT_EQ(store.health("trading").last_success, kT0);
  EXPECT_FALSE(store.health("trading").failing());

  store.record_failure("trading", kT0 + seconds(60), "metrics.k8s.io: 503");
  store.record_failure("trading", kT0 + seconds(120), "metrics.k8s.io: 404");
  auto h = store.health("trading");
  EXPECT_TRUE(h.failing());
  EXPECT_EQ(h.consecutive_failures, 2);
  EXPECT_EQ(h.last_error, "metrics.k8s.io: 404");
  EXPECT_EQ(h.last_failure, kT0 + seconds(120));
  EXPECT_EQ(h.last_success, kT0);
  EXPECT_FALSE(store.health("risk").failing());  // namespaces are apart

  store.record_success("trading", kT0 + seconds(180));
  h = store.health("trading");
  EXPECT_FALSE(h.failing());
  EXPECT_EQ(h.consecutive_failures, 0);
  EXPECT_EQ(h.last_error, "");
  EXPECT_EQ(h.last_success, kT0 + seconds(180));
  EXPECT_EQ(h.last_failure, kT0 + seconds(120));
}

TEST(UsageStoreTest, MemoryBytesGrowsWithContainersAndCanaries) {
  UsageStore store;
  EXPECT_EQ(store.memory_bytes(), 0u);
  store.add_sample(kEngineMain, false, kT0, 300, 1 << 20, hours(24));
  auto one = store.memory_bytes();
  EXPECT_GT(one, 0u);
  store.add_sample(kEngineMain, true, kT0, 300, 1 << 20, hours(24));
  auto two = store.memory_bytes();
  EXPECT_GT(two, one);
  store.add_sample(kGuardianMain, false, kT0, 300, 1 << 20, hours(24));
  EXPECT_GT(store.memory_bytes(), two);
  // Wider usage spreads over more buckets.
  auto before = store.memory_bytes();
  store.add_sample(kGuardianMain, false, kT0 + seconds(60), 30000, 1 << 30, hours(24));
  EXPECT_GT(store.memory_bytes(), before);
}

}  // namespace
}  // namespace controller
