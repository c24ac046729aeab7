#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, with client-go's
// semantics: a candidate takes the lease when its holder has not renewed it
// for lease_duration (measured on the candidate's own monotonic clock from
// when it last saw the record change, so clock skew does not matter); the
// leader renews every retry_period and gives up when renew_deadline passes
// without a successful renewal. is_leader() turns false at that deadline
// even if the elector thread is stuck, so writes gated on it stop in time,
// and at once when another holder is observed. The time a record was seen is
// taken after the read that returned it (a slow GET must not make a fresh
// lease look old). Every renewal (GET and UPDATE, retries included) ends by
// the renew deadline, and the elector sends its requests through a limiter
// of its own, so other traffic on the same client cannot delay them.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "k8s/api_client.h"

namespace k8s {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. the pod name
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  bool release_on_stop = true;  // hand the lease over at once on a clean stop
};

// lease_duration > renew_deadline > 1.2 × retry_period, all positive, names
// set; lease_duration in whole seconds (leaseDurationSeconds is published).
Result<void> validate(const LeaderElectionConfig& cfg);

struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  // Loss, or stop while leading. On a stop it runs (and must stop the work
  // the lease guards) before the lease is released.
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string&)> on_new_leader;  // another holder observed
};

// The lease spec as this elector reads and writes it.
struct LeaseRecord {
  std::string holder;
  std::chrono::seconds lease_duration{0};
  std::string acquire_time;  // MicroTime text, kept as received
  std::string renew_time;
  int transitions = 0;
  bool operator==(const LeaseRecord&) const = default;
};

class LeaderElector {
 public:
  // `cfg` must pass validate(); create() checks it.
  static Result<std::unique_ptr<LeaderElector>> create(ApiClient& client, LeaderElectionConfig cfg,
                                                       LeaderCallbacks callbacks);

  // Campaigns, then leads until the renew deadline passes or `stop`. Returns
  // after losing the lease (the caller should exit) or when stopped.
  void run(std::stop_token stop);
  // Leading, no other holder observed since, and the last renewal is younger
  // than the renew deadline. Thread-safe.
  [[nodiscard]] bool is_leader() const;
  // One attempt to take or renew the lease, within `ctx`; true when we hold
  // it afterwards.
  bool try_acquire_or_renew(const CallContext& ctx = {});

  LeaderElector(ApiClient& client, LeaderElectionConfig cfg, LeaderCallbacks callbacks);

 private:
  bool campaign(std::stop_token stop);
  void lead(std::stop_token stop);
  void release();
  bool acquire_from(nlohmann::json lease, Clock::Monotonic now, const CallContext& ctx);
  void observe(const LeaseRecord& record, Clock::Monotonic now);
  void report_loss(const char* why);
  [[nodiscard]] Clock::Monotonic renewed_at() const;
  std::chrono::nanoseconds jittered_retry();

  ApiClient client_;  // shares the caller's transport, with its own limiter
  LeaderElectionConfig cfg_;
  LeaderCallbacks callbacks_;
  ObjectRef lease_ref_;
  std::optional<LeaseRecord> observed_;
  Clock::Monotonic observed_at_{};
  std::atomic<bool> leading_{false};
  std::atomic<bool> other_holder_{false};             // the last record seen names someone else
  std::atomic<Clock::Monotonic::rep> renewed_at_{0};  // steady ticks of the last renewal
};

// MicroTime text ("2006-01-02T15:04:05.000000Z") of a wall-clock instant.
std::string format_micro_time(std::chrono::system_clock::time_point t);
LeaseRecord parse_lease_record(const nlohmann::json& lease);

}  // namespace k8s
