#include "policies/usage_histogram.h"

#include <gtest/gtest.h>

#include <cmath>

#include "policies/container_usage.h"
#include "policies/usage_checkpoint.h"

namespace {

using namespace std::chrono_literals;
using policies::Time;
using policies::UsageHistogram;

const Time kT0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1}.time_since_epoch()};

TEST(BucketScheme, FivePercentGrowthFromOneMillicore) {
  const auto& s = policies::cpu_buckets();
  EXPECT_DOUBLE_EQ(s.bucket_start(0), 0);
  EXPECT_DOUBLE_EQ(s.bucket_start(1), 1);
  EXPECT_DOUBLE_EQ(s.bucket_start(2), 2.05);
  EXPECT_NEAR(s.bucket_end(2) - s.bucket_start(2), 1.05 * 1.05, 1e-9);
  EXPECT_EQ(s.bucket_for(0), 0);
  EXPECT_EQ(s.bucket_for(0.99), 0);
  EXPECT_EQ(s.bucket_for(1), 1);
  EXPECT_EQ(s.bucket_for(2.05), 2);
  EXPECT_GE(s.bucket_end(s.size() - 1), 1024 * 1000);
  EXPECT_EQ(s.bucket_for(1e12), s.size() - 1);
  for (int b = 0; b < s.size(); ++b) {
    EXPECT_EQ(s.bucket_for(s.bucket_start(b)), b);
  }
  EXPECT_DOUBLE_EQ(policies::memory_buckets().bucket_start(1), 1 << 20);
}

struct Distribution {
  const char* name;
  double (*value)(int i);  // i in [0, 1000): deterministic samples
  double percentile;
  double exact;  // the exact percentile of the samples
};

class Percentile : public testing::TestWithParam<Distribution> {};

// The answer is the end of the bucket holding the exact percentile: never
// below it, and at most one bucket width (5 %) above.
TEST_P(Percentile, WithinOneBucket) {
  UsageHistogram h(policies::cpu_buckets(), 24h);
  for (int i = 0; i < 1000; ++i) h.add(GetParam().value(i), 1, kT0);
  const double got = h.percentile(GetParam().percentile);
  const auto& s = policies::cpu_buckets();
  const int b = s.bucket_for(GetParam().exact);
  EXPECT_GE(got, GetParam().exact);
  EXPECT_DOUBLE_EQ(got, s.bucket_end(b));
  EXPECT_LE(got - GetParam().exact, s.bucket_end(b) - s.bucket_start(b));
}

INSTANTIATE_TEST_SUITE_P(
    Table, Percentile,
    testing::Values(
        Distribution{"ConstantP95", [](int) { return 500.0; }, 95, 500},
        Distribution{"UniformP50", [](int i) { return 1.0 + i; }, 50, 500},
        Distribution{"UniformP95", [](int i) { return 1.0 + i; }, 95, 950},
        Distribution{"UniformP100", [](int i) { return 1.0 + i; }, 100, 1000},
        Distribution{"BimodalP90", [](int i) { return i < 900 ? 100.0 : 4000.0; }, 90, 100},
        Distribution{"BimodalP91", [](int i) { return i < 900 ? 100.0 : 4000.0; }, 91, 4000},
        Distribution{"ExponentialP99", [](int i) { return std::floor(100 * std::exp2(i / 100.0)); },
                     99, std::floor(100 * std::exp2(989 / 100.0))}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Decay, HalvesAWeightAfterOneHalfLife) {
  UsageHistogram h(policies::cpu_buckets(), 24h);
  h.add(100, 1, kT0);
  EXPECT_DOUBLE_EQ(h.total_weight(kT0), 1);
  EXPECT_NEAR(h.total_weight(kT0 + 24h), 0.5, 1e-12);
  EXPECT_NEAR(h.total_weight(kT0 + 48h), 0.25, 1e-12);
}

TEST(Decay, RecentSamplesOutweighOldOnes) {
  UsageHistogram h(policies::cpu_buckets(), 24h);
  // 100 samples at 2000m three days ago vs 100 at 100m now: the old ones weigh 1/8.
  for (int i = 0; i < 100; ++i) h.add(2000, 1, kT0);
  for (int i = 0; i < 100; ++i) h.add(100, 1, kT0 + 72h);
  EXPECT_LT(h.percentile(85), 110);   // 100 / (100 + 12.5) = 88.9 % at 100m
  EXPECT_GT(h.percentile(95), 1900);  // the top 11 % is the old peak
}

TEST(Decay, LongRunsRenormalizeWithoutOverflow) {
  UsageHistogram h(policies::cpu_buckets(), 1h);
  for (int day = 0; day < 365; ++day) h.add(250, 1, kT0 + std::chrono::hours(24 * day));
  EXPECT_TRUE(std::isfinite(h.total_weight(kT0 + std::chrono::hours(24 * 364))));
  EXPECT_NEAR(h.total_weight(kT0 + std::chrono::hours(24 * 364)), 1, 1e-6);
  EXPECT_GT(h.percentile(50), 249);
}

TEST(Histogram, MergeEqualsAddingToOne) {
  UsageHistogram a(policies::cpu_buckets(), 24h), b(policies::cpu_buckets(), 24h),
      both(policies::cpu_buckets(), 24h);
  for (int i = 0; i < 50; ++i) {
    a.add(10 + i, 1, kT0 + std::chrono::minutes(i));
    both.add(10 + i, 1, kT0 + std::chrono::minutes(i));
    b.add(3000 + i, 1, kT0 + 30h + std::chrono::minutes(i));
    both.add(3000 + i, 1, kT0 + 30h + std::chrono::minutes(i));
  }
  a.merge(b);
  for (double p : {10.0, 50.0, 90.0, 99.0}) EXPECT_DOUBLE_EQ(a.percentile(p), both.percentile(p));
  EXPECT_NEAR(a.total_weight(kT0 + 31h) / both.total_weight(kT0 + 31h), 1, 1e-6);  // float buckets
}

TEST(Histogram, SubtractRemovesASample) {
  UsageHistogram h(policies::memory_buckets(), 24h);
  h.add(512.0 * (1 << 20), 1, kT0);
  h.add(1024.0 * (1 << 20), 1, kT0);
  h.subtract(1024.0 * (1 << 20), 1, kT0);
  EXPECT_LT(h.percentile(100), 540.0 * (1 << 20));
  h.subtract(512.0 * (1 << 20), 1, kT0);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.percentile(50), 0);
}

TEST(ContainerUsage, MemoryKeepsOnePeakPerDay) {
  policies::ContainerUsage u(24h);
  // Day 1: 1 GiB, then a 3 GiB peak. Day 2: 2 GiB all day.
  for (int i = 0; i < 10; ++i) u.add_sample(kT0 + std::chrono::minutes(i), 100, 1LL << 30);
  u.add_sample(kT0 + 1h, 100, 3LL << 30);
  for (int i = 0; i < 10; ++i) u.add_sample(kT0 + 24h + std::chrono::minutes(i), 100, 2LL << 30);
  EXPECT_EQ(u.samples(), 21);
  EXPECT_EQ(u.memory_peak_bytes(), 3LL << 30);
  const auto& m = u.memory();
  // Two peaks (3 GiB on day 1, weight 1; 2 GiB on day 2, weight 2): P40 is 2 GiB, P99 3 GiB.
  EXPECT_NEAR(m.percentile(40) / (1 << 30), 2, 0.11);
  EXPECT_NEAR(m.percentile(99) / (1 << 30), 3, 0.16);
  EXPECT_NEAR(m.total_weight(kT0 + 24h), 1.5, 1e-6);
  EXPECT_EQ(u.observed(), 24h + 9min);
}

// VPA's RecordOOM: a kill raises its interval's entry to what it needed,
// apart from the usage peak; again is a no-op; usage above it raises it.
TEST(ContainerUsage, AnOomKillRaisesItsIntervalApartFromTheUsagePeak) {
  policies::ContainerUsage u(24h);
  for (int i = 0; i < 10; ++i) u.add_sample(kT0 + std::chrono::minutes(i), 100, 1LL << 30);
  ASSERT_TRUE(u.record_oom(kT0 + 20min, 3LL << 30));
  EXPECT_EQ(u.samples(), 10) << "a kill is no sample";
  EXPECT_EQ(u.memory_interval_peak_bytes(kT0 + 20min), 1LL << 30) << "the usage peak is apart";
  EXPECT_EQ(u.memory_interval_oom_bytes(), 3LL << 30);
  EXPECT_EQ(u.memory_peak_bytes(), 1LL << 30);
  EXPECT_NEAR(u.memory().percentile(50) / (1 << 30), 3, 0.16);
  EXPECT_NEAR(u.memory().total_weight(kT0), 1, 1e-6) << "one entry for the interval";
  // The same kill again, and a smaller one: nothing moves (false: nothing
  // learnt changed); a bigger one raises the interval's OOM sample.
  EXPECT_FALSE(u.record_oom(kT0 + 20min, 3LL << 30));
  EXPECT_FALSE(u.record_oom(kT0 + 21min, 2LL << 30));
  EXPECT_NEAR(u.memory().total_weight(kT0), 1, 1e-6);
  EXPECT_NEAR(u.memory().percentile(99) / (1 << 30), 3, 0.16);
  EXPECT_EQ(u.memory_interval_oom_bytes(), 3LL << 30);
  // Usage above the kill's need raises the entry; below it, it stays.
  u.add_sample(kT0 + 30min, 100, 2LL << 30);
  EXPECT_NEAR(u.memory().percentile(99) / (1 << 30), 3, 0.16);
  u.add_sample(kT0 + 40min, 100, 4LL << 30);
  EXPECT_NEAR(u.memory().percentile(99) / (1 << 30), 4, 0.21);
  EXPECT_NEAR(u.memory().total_weight(kT0), 1, 1e-6);
  // A kill in the next interval opens it; one in a closed interval is dropped.
  ASSERT_TRUE(u.record_oom(kT0 + 25h, 5LL << 30));
  EXPECT_NEAR(u.memory().total_weight(kT0 + 24h), 1.5, 1e-6);
  EXPECT_NEAR(u.memory().percentile(99) / (1 << 30), 5, 0.26);
  EXPECT_FALSE(u.record_oom(kT0 + 1h, 9LL << 30));
  // The usage sample after it in that interval does not double the entry.
  u.add_sample(kT0 + 26h, 100, 1LL << 30);
  EXPECT_NEAR(u.memory().total_weight(kT0 + 24h), 1.5, 1e-6);
  EXPECT_EQ(u.memory_interval_peak_bytes(kT0 + 26h), 1LL << 30);
}

// A container killed before its first sample (at start-up): the kill opens
// the interval, and the samples after it raise the same entry.
TEST(ContainerUsage, AKillBeforeTheFirstSampleIsLearnt) {
  policies::ContainerUsage u(24h);
  ASSERT_TRUE(u.record_oom(kT0 + 1min, 3LL << 30));
  EXPECT_EQ(u.samples(), 0);
  EXPECT_NEAR(u.memory().percentile(99) / (1 << 30), 3, 0.16);
  for (int i = 2; i < 10; ++i) u.add_sample(kT0 + std::chrono::minutes(i), 100, 1LL << 30);
  EXPECT_EQ(u.samples(), 8);
  EXPECT_EQ(u.first_sample(), kT0 + 2min);
  EXPECT_NEAR(u.memory().total_weight(kT0), 1, 1e-6);
  EXPECT_NEAR(u.memory().percentile(99) / (1 << 30), 3, 0.16);
  EXPECT_EQ(u.memory_interval_peak_bytes(kT0 + 5min), 1LL << 30);
  // And it survives a checkpoint taken before any sample.
  policies::ContainerUsage only_kill(24h);
  ASSERT_TRUE(only_kill.record_oom(kT0 + 1min, 3LL << 30));
  auto back = policies::decode_checkpoint(policies::encode_checkpoint(only_kill));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->memory_interval_oom_bytes(), 3LL << 30);
  back.value().add_sample(kT0 + 2min, 100, 1LL << 30);
  EXPECT_NEAR(back->memory().total_weight(kT0), 1, 1e-6);
}

// A checkpoint restored under samples of the same interval (taken since
// start): one entry for the interval, of both peaks, not two.
TEST(ContainerUsage, MergingTheSameIntervalKeepsOneEntry) {
  policies::ContainerUsage live(24h);
  for (int i = 30; i < 40; ++i) live.add_sample(kT0 + std::chrono::minutes(i), 100, 1LL << 30);
  policies::ContainerUsage stored(24h);
  for (int i = 0; i < 20; ++i) stored.add_sample(kT0 + std::chrono::minutes(i), 100, 2LL << 30);
  ASSERT_TRUE(stored.record_oom(kT0 + 10min, 3LL << 30));
  live.merge(stored);
  EXPECT_EQ(live.samples(), 30);
  EXPECT_EQ(live.first_sample(), kT0);
  EXPECT_NEAR(live.memory().total_weight(kT0), 1, 1e-6);
  EXPECT_EQ(live.memory_interval_peak_bytes(kT0 + 1h), 2LL << 30);
  EXPECT_EQ(live.memory_interval_oom_bytes(), 3LL << 30);
  EXPECT_NEAR(live.memory().percentile(99) / (1 << 30), 3, 0.16);
  // The same kill seen again after the restore: still one entry.
  EXPECT_FALSE(live.record_oom(kT0 + 10min, 3LL << 30));
  EXPECT_NEAR(live.memory().total_weight(kT0), 1, 1e-6);
}

// The OOM sample survives a checkpoint (v3); without one the checkpoint
// stays v2, which every earlier operator reads.
TEST(Checkpoint, AnOomSampleRoundTripsAndOnlyThenIsTheFormatV3) {
  policies::ContainerUsage u(24h);
  for (int i = 0; i < 60; ++i) u.add_sample(kT0 + std::chrono::minutes(i), 100, 1LL << 30);
  EXPECT_EQ(policies::encode_checkpoint(u)[0], 2);
  ASSERT_TRUE(u.record_oom(kT0 + 30min, 3LL << 30));
  const std::string bytes = policies::encode_checkpoint(u);
  EXPECT_EQ(bytes[0], 3);
  auto back = policies::decode_checkpoint(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->memory_interval_oom_bytes(), 3LL << 30);
  EXPECT_EQ(back->memory_interval_peak_bytes(kT0 + 30min), 1LL << 30);
  EXPECT_DOUBLE_EQ(back->memory().percentile(99), u.memory().percentile(99));
  // Learning goes on from it as from the original: usage under the kill's
  // need leaves the entry where it is.
  back.value().add_sample(kT0 + 61min, 100, 2LL << 30);
  EXPECT_NEAR(back->memory().total_weight(kT0), 1, 1e-6);
  EXPECT_NEAR(back->memory().percentile(99) / (1 << 30), 3, 0.16);
}

TEST(Checkpoint, RoundTripsAndIsCompact) {
  policies::ContainerUsage u(24h);
  for (int i = 0; i < 2880; ++i) {  // two days of 1-minute samples, 50..450m, 12-14 GiB
    const auto t = kT0 + std::chrono::minutes(i);
    u.add_sample(t, 50 + (i * 37) % 400, (12LL << 30) + (i % 97) * (20LL << 20));
  }
  const std::string bytes = policies::encode_checkpoint(u);
  EXPECT_LT(bytes.size(), 300U);
  const std::string text = policies::encode_checkpoint_text(u);
  EXPECT_LT(text.size(), 400U);
  auto back = policies::decode_checkpoint_text(text);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->samples(), u.samples());
  EXPECT_EQ(back->first_sample(), u.first_sample());
  EXPECT_EQ(back->last_sample(), u.last_sample());
  EXPECT_EQ(back->memory_peak_bytes(), u.memory_peak_bytes());
  const auto& s = policies::cpu_buckets();
  for (double p : {50.0, 95.0, 99.0}) {
    const int b = s.bucket_for(u.cpu().percentile(p) - 1e-9);
    EXPECT_NEAR(back->cpu().percentile(p), u.cpu().percentile(p),
                s.bucket_end(b + 1) - s.bucket_start(b) + 1e-9);
  }
  EXPECT_DOUBLE_EQ(back->memory().percentile(99), u.memory().percentile(99));
  // Learning continues after a restore.
  back.value().add_sample(kT0 + 49h, 100, 12LL << 30);
  EXPECT_EQ(back->samples(), u.samples() + 1);
}

TEST(Checkpoint, RejectsCorruptInput) {
  policies::ContainerUsage u(24h);
  u.add_sample(kT0, 100, 1 << 30);
  policies::ContainerUsage killed = u;  // v3: with an OOM sample
  ASSERT_TRUE(killed.record_oom(kT0 + 1min, 2LL << 30));
  for (const auto& usage : {u, killed}) {
    const std::string bytes = policies::encode_checkpoint(usage);
    ASSERT_TRUE(policies::decode_checkpoint(bytes).ok());
    EXPECT_FALSE(policies::decode_checkpoint("").ok());
    EXPECT_FALSE(policies::decode_checkpoint(std::string("\x01", 1) + bytes.substr(1)).ok());
    EXPECT_FALSE(policies::decode_checkpoint(std::string("\x04", 1) + bytes.substr(1)).ok());
    for (std::size_t n = 0; n < bytes.size(); ++n)
      EXPECT_FALSE(policies::decode_checkpoint(bytes.substr(0, n)).ok()) << n;
    EXPECT_FALSE(policies::decode_checkpoint(bytes + "x").ok());
  }
  // The other version's layout under a version byte is rejected (the
  // checksum covers the version byte).
  const std::string v2 = policies::encode_checkpoint(u);
  const std::string v3 = policies::encode_checkpoint(killed);
  ASSERT_EQ(v2[0], '\x02');
  ASSERT_EQ(v3[0], '\x03');
  EXPECT_FALSE(policies::decode_checkpoint(std::string("\x03", 1) + v2.substr(1)).ok());
  EXPECT_FALSE(policies::decode_checkpoint(std::string("\x02", 1) + v3.substr(1)).ok());
  EXPECT_FALSE(policies::decode_checkpoint_text("not base64!").ok());
}

policies::ContainerUsage day_of_usage() {
  policies::ContainerUsage u(24h);
  for (int i = 0; i < 24 * 60; i += 5)
    u.add_sample(kT0 + std::chrono::minutes(i), 50 + (i * 37) % 400, (12LL << 30) + i * (1 << 20));
  return u;
}

// A corrupted checkpoint that still parses must not become other figures:
// every single flipped bit, anywhere, is rejected.
TEST(Checkpoint, EveryFlippedBitIsRejected) {
  auto usage = day_of_usage();
  ASSERT_TRUE(usage.record_oom(kT0 + 23h, 20LL << 30));  // v3, with its OOM sample
  const std::string bytes = policies::encode_checkpoint(usage);
  ASSERT_EQ(bytes[0], '\x03');
  ASSERT_TRUE(policies::decode_checkpoint(bytes).ok());
  int rejected = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_FALSE(policies::decode_checkpoint(bad).ok()) << "byte " << i << " bit " << bit;
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, static_cast<int>(bytes.size()) * 8);
}

// Re-seals a modified checkpoint with a valid checksum, as a checkpoint
// written by a build with other buckets would be.
std::string reseal(std::string body) {
  const std::uint32_t crc = policies::checkpoint_crc32(body);
  for (int i = 0; i < 4; ++i) body += static_cast<char>((crc >> (8 * i)) & 0xff);
  return body;
}

TEST(Checkpoint, OtherBucketSchemeIsRejectedNotTruncated) {
  const std::string bytes = policies::encode_checkpoint(day_of_usage());
  const std::string body = bytes.substr(0, bytes.size() - 4);
  ASSERT_TRUE(policies::decode_checkpoint(reseal(body)).ok());
  // Byte 1 is the CPU bucket count, 224 as a two-byte varint (0xe0 0x01).
  ASSERT_EQ(static_cast<unsigned char>(body[1]), 0xe0);
  ASSERT_EQ(static_cast<unsigned char>(body[2]), 0x01);
  std::string fewer = body;
  fewer[1] = static_cast<char>(0xdf);  // 223 buckets
  const auto r = policies::decode_checkpoint(reseal(fewer));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("buckets"), std::string::npos) << r.error();
}

// A histogram whose buckets run past the scheme is rejected, not truncated.
// One sample at 1024 cores puts the CPU histogram in one bucket near the top:
// first bucket 222 (varint de 01), one bucket, weight 16383 (ff 7f). Moving
// it to start at 224 leaves its bucket outside the 224-bucket scheme (0–223).
TEST(Checkpoint, BucketsPastTheSchemeAreRejected) {
  policies::ContainerUsage u(24h);
  u.add_sample(kT0, 1'024'000, 1LL << 30);
  const std::string bytes = policies::encode_checkpoint(u);
  std::string body = bytes.substr(0, bytes.size() - 4);
  const std::string last_bucket("\xde\x01\x01\xff\x7f", 5);
  const auto at = body.find(last_bucket);
  ASSERT_NE(at, std::string::npos);
  ASSERT_TRUE(policies::decode_checkpoint(reseal(body)).ok());
  body[at] = static_cast<char>(0xe0);
  EXPECT_FALSE(policies::decode_checkpoint(reseal(body)).ok());
}

// first + count must not wrap: first = 2^64 − 1 (varint ff×9 01) with one
// bucket sums to 0 in uint64; with a valid checksum it is still rejected.
TEST(Checkpoint, BucketRangeThatWrapsIsRejected) {
  policies::ContainerUsage u(24h);
  u.add_sample(kT0, 1'024'000, 1LL << 30);
  const std::string bytes = policies::encode_checkpoint(u);
  std::string body = bytes.substr(0, bytes.size() - 4);
  const std::string last_bucket("\xde\x01\x01\xff\x7f", 5);
  const auto at = body.find(last_bucket);
  ASSERT_NE(at, std::string::npos);
  body.replace(at, 2, std::string(9, '\xff') + '\x01');
  EXPECT_FALSE(policies::decode_checkpoint(reseal(body)).ok());
}

// The policy's halfLife applies to a restored histogram. Ten samples of 100m,
// then after ten hours ten of 1000m. Kept at 24h, the old ones still weigh
// 10 against 10 × 2^(10/24) = 13.3, so P30 is in 100m's bucket 36, ending at
// (1.05^37 − 1)/0.05 = 101.63m. At a 1h half-life the new ones weigh 2^10 times
// as much, so P30 is in 1000m's bucket 80, ending at (1.05^81 − 1)/0.05 = 1020.79m.
TEST(Checkpoint, RestoredHistogramsTakeThePolicysHalfLife) {
  policies::ContainerUsage u(24h);
  for (int i = 0; i < 10; ++i) u.add_sample(kT0 + std::chrono::minutes(i), 100, 1LL << 30);
  const std::string bytes = policies::encode_checkpoint(u);
  auto kept = policies::decode_checkpoint(bytes);
  auto changed = policies::decode_checkpoint(bytes, 1h);
  ASSERT_TRUE(kept.ok() && changed.ok());
  EXPECT_EQ(kept->cpu().half_life(), 24h);
  EXPECT_EQ(changed->cpu().half_life(), 1h);
  EXPECT_EQ(changed->memory().half_life(), 1h);
  for (int i = 0; i < 10; ++i) {
    kept.value().add_sample(kT0 + 10h + std::chrono::minutes(i), 1000, 1LL << 30);
    changed.value().add_sample(kT0 + 10h + std::chrono::minutes(i), 1000, 1LL << 30);
  }
  EXPECT_NEAR(kept->cpu().percentile(30), 101.63, 0.01);
  EXPECT_NEAR(changed->cpu().percentile(30), 1020.79, 0.01);
}

}  // namespace
