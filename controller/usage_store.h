#pragma once
// The usage learnt so far, per workload container (DESIGN §4): the sampler
// adds samples, the reconciler reads copies and restores checkpoints. Pods
// labelled rightsizer.io/canary are learnt apart, so a canary's usage never
// moves the workload's recommendation. Also what the last sampling of each
// namespace said: an outage means no samples and a condition, never zeros.
// Thread-safe.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "controller/cluster_objects.h"
#include "policies/container_usage.h"
#include "policies/recommender.h"

namespace controller {

struct UsageKey {
  WorkloadRef workload;
  std::string container;
  friend auto operator<=>(const UsageKey&, const UsageKey&) = default;
};

// The outcome of the latest metrics list of one namespace.
struct SamplingHealth {
  std::optional<policies::Time> last_success;
  std::optional<policies::Time> last_failure;
  std::string last_error;  // of the last failure; empty after a success
  int consecutive_failures = 0;
  [[nodiscard]] bool failing() const { return consecutive_failures > 0; }
};

class UsageStore {
 public:
  // One sample; a container seen for the first time starts with `half_life`.
  // Returns whether it was added. Not added: a sample of a workload forgotten
  // after `since` (the epoch() its sampling pass started at; the pass must
  // not bring back what the reconciler forgot meanwhile), and a sample no
  // newer than the restored checkpoint's last one (already in it: the first
  // pass after a start sees again the scrape the previous leader took).
  bool add_sample(const UsageKey& key, bool canary, policies::Time at, std::int64_t cpu_millicores,
                  std::int64_t memory_bytes, std::chrono::seconds half_life,
                  std::optional<std::uint64_t> since = std::nullopt);
  // The number of forget() calls so far.
  [[nodiscard]] std::uint64_t epoch() const;
  // Drops the records of forgets up to `epoch`: no pass that started before
  // it is running any more (one sampler, one pass at a time).
  void retire_forgets(std::uint64_t epoch);
  // Copies of what was learnt (nullopt: nothing yet).
  [[nodiscard]] std::optional<policies::ContainerUsage> usage(const UsageKey& key) const;
  [[nodiscard]] std::optional<policies::ContainerUsage> canary_usage(const UsageKey& key) const;
  // An OOMKill of a workload's container, recorded in what was learnt as
  // the memory the kill needed (VPA's RecordOOM; policies::oom_floor_bytes
  // from the usage peak of the kill's interval, never from an earlier
  // bump). Each kill is recorded once, when first seen (as VPA's OOM
  // observer: with the usage peak of that moment; the pod keeps reporting
  // it), and not again after a restart when the restored checkpoint holds
  // it (restore's `kill_learnt`). A container with nothing learnt
  // yet starts with it (and `half_life`). Returns whether what was learnt
  // changed (false: seen before, smaller than a kill already in the
  // interval, or in a closed interval).
  bool record_oom(const UsageKey& key, const policies::OomKill& oom, double bump_ratio,
                  std::chrono::seconds half_life);

  // Once per container and process: merges `restored` (a decoded checkpoint)
  // under the samples taken since start. Later calls do nothing; returns
  // whether this call restored.
  // `kill_learnt`: the OOMKill the checkpoint already holds (record_oom
  // then takes only a later one).
  bool restore(const UsageKey& key, policies::ContainerUsage restored,
               std::optional<policies::Time> kill_learnt = std::nullopt);
  // Marks the container restored without data (its checkpoint was corrupt or
  // absent), so that learning starts from the samples alone.
  void mark_restored(const UsageKey& key);
  [[nodiscard]] bool restored(const UsageKey& key) const;

  // Forgets a workload (its annotation or the workload went away).
  void forget(const WorkloadRef& workload);

  void record_success(std::string_view namespace_name, policies::Time at);
  void record_failure(std::string_view namespace_name, policies::Time at, std::string error);
  [[nodiscard]] SamplingHealth health(std::string_view namespace_name) const;

  // Bytes held by histograms (the histogram-memory metric).
  [[nodiscard]] std::size_t memory_bytes() const;
  // Containers with histograms, canary histograms included.
  [[nodiscard]] std::size_t containers() const;

 private:
  mutable std::mutex mu_;
  std::map<UsageKey, policies::ContainerUsage> usage_;
  std::map<UsageKey, policies::ContainerUsage> canary_;
  std::set<UsageKey> restored_;
  // The last sample time of each restored checkpoint.
  std::map<UsageKey, policies::Time> restored_until_;
  // The latest OOMKill recorded per container (record_oom).
  std::map<UsageKey, policies::Time> oom_seen_;
  std::uint64_t forgets_ = 0;
  std::map<WorkloadRef, std::uint64_t> forgotten_at_;  // → epoch after its forget
  std::map<std::string, SamplingHealth, std::less<>> health_;
};

}  // namespace controller
