#include "k8s/leader_election.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <ctime>

namespace k8s {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

nlohmann::json lease_spec(const LeaseRecord& r) {
  nlohmann::json spec = {{"holderIdentity", r.holder},
                         {"leaseDurationSeconds", r.lease_duration.count()},
                         {"leaseTransitions", r.transitions}};
  // An empty MicroTime does not parse on the server: leave it out.
  if (!r.acquire_time.empty()) spec["acquireTime"] = r.acquire_time;
  if (!r.renew_time.empty()) spec["renewTime"] = r.renew_time;
  return spec;
}

}  // namespace

std::string format_micro_time(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::floor<seconds>(t);
  auto micros = duration_cast<std::chrono::microseconds>(t - secs).count();
  std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string frac = std::to_string(1'000'000 + micros).substr(1);  // six digits
  return std::string(buf) + "." + frac + "Z";
}

LeaseRecord parse_lease_record(const nlohmann::json& lease) {
  LeaseRecord r;
  auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return r;
  auto str = [&](const char* k) {
    auto it = spec->find(k);
    return it != spec->end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  auto num = [&](const char* k) {
    auto it = spec->find(k);
    return it != spec->end() && it->is_number_integer() ? it->get<int>() : 0;
  };
  r.holder = str("holderIdentity");
  r.lease_duration = seconds(num("leaseDurationSeconds"));
  r.acquire_time = str("acquireTime");
  r.renew_time = str("renewTime");
  r.transitions = num("leaseTransitions");
  return r;
}

Result<void> validate(const LeaderElectionConfig& cfg) {
  auto fail = [](const std::string& why) {
    return make_error(ErrorKind::Config, "leader election: " + why);
  };
  if (cfg.lease_name.empty() || cfg.lease_namespace.empty())
    return fail("lease name and namespace are required");
  if (cfg.identity.empty()) return fail("identity is required");
  if (cfg.retry_period <= milliseconds(0)) return fail("retry period must be positive");
  if (cfg.lease_duration % std::chrono::seconds(1) != milliseconds(0))
    return fail("lease duration must be a whole number of seconds (it is published in seconds)");
  if (cfg.lease_duration <= cfg.renew_deadline)
    return fail("lease duration must be greater than renew deadline");
  if (double(cfg.renew_deadline.count()) <= 1.2 * double(cfg.retry_period.count())) {
    return fail("renew deadline must be greater than 1.2 x retry period");
  }
  return {};
}

Result<std::unique_ptr<LeaderElector>> LeaderElector::create(ApiClient& client,
                                                             LeaderElectionConfig cfg,
                                                             LeaderCallbacks callbacks) {
  if (auto ok = validate(cfg); !ok) return ok.error();
  return std::make_unique<LeaderElector>(client, std::move(cfg), std::move(callbacks));
}

namespace {

// The elector paces itself (a GET and at most one write per retry period):
// no client-side limit, the caller's retry settings.
ClientOptions elector_options(const ApiClient& shared) {
  ClientOptions o = shared.options();
  o.qps = 0;
  return o;
}

}  // namespace

LeaderElector::LeaderElector(ApiClient& client, LeaderElectionConfig cfg, LeaderCallbacks callbacks)
    : client_(client, elector_options(client)),
      cfg_(std::move(cfg)),
      callbacks_(std::move(callbacks)),
      lease_ref_{resources::leases(), cfg_.lease_namespace, cfg_.lease_name, ""} {}

Clock::Monotonic LeaderElector::renewed_at() const {
  return Clock::Monotonic(Clock::Monotonic::duration(renewed_at_.load()));
}

bool LeaderElector::is_leader() const {
  if (!leading_.load() || other_holder_.load()) return false;
  return client_.clock().now() - renewed_at() < cfg_.renew_deadline;
}

void LeaderElector::observe(const LeaseRecord& record, Clock::Monotonic now) {
  // Before any callback: is_leader() must already be false when it runs.
  other_holder_.store(!record.holder.empty() && record.holder != cfg_.identity);
  if (observed_ && *observed_ == record) return;
  bool new_holder = !observed_ || observed_->holder != record.holder;
  observed_ = record;
  observed_at_ = now;
  if (new_holder && !record.holder.empty() && record.holder != cfg_.identity &&
      callbacks_.on_new_leader) {
    callbacks_.on_new_leader(record.holder);
  }
}

bool LeaderElector::try_acquire_or_renew(const CallContext& ctx) {
  auto current = client_.get(lease_ref_, ctx);
  // After the read, as client-go's setObservedRecord: the record is at least
  // this fresh, and a slow GET must not age it.
  auto now = client_.clock().now();
  if (!current && current.error().kind == ErrorKind::NotFound) {
    LeaseRecord mine{cfg_.identity,
                     duration_cast<seconds>(cfg_.lease_duration),
                     format_micro_time(client_.clock().wall_now()),
                     {},
                     0};
    mine.renew_time = mine.acquire_time;
    nlohmann::json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", cfg_.lease_name}, {"namespace", cfg_.lease_namespace}}},
        {"spec", lease_spec(mine)}};
    auto created =
        client_.create({resources::leases(), cfg_.lease_namespace, "", ""}, lease, {}, ctx);
    if (!created) return false;
    observe(mine, client_.clock().now());
    return true;
  }
  if (!current) {
    spdlog::warn("k8s: leader election: reading lease {}/{}: {}", cfg_.lease_namespace,
                 cfg_.lease_name, current.error().describe());
    return false;
  }
  return acquire_from(std::move(*current), now, ctx);
}

bool LeaderElector::acquire_from(nlohmann::json lease, Clock::Monotonic now,
                                 const CallContext& ctx) {
  LeaseRecord record = parse_lease_record(lease);
  observe(record, now);
  bool mine = record.holder == cfg_.identity;
  auto valid_for = record.lease_duration > seconds(0)
                       ? duration_cast<milliseconds>(record.lease_duration)
                       : cfg_.lease_duration;
  if (!mine && !record.holder.empty() && now < observed_at_ + valid_for) return false;
  // Past ctx.deadline (the renew deadline) the client sends nothing: no
  // write for a leader whose is_leader() has already turned false.
  LeaseRecord next = record;
  next.holder = cfg_.identity;
  next.lease_duration = duration_cast<seconds>(cfg_.lease_duration);
  next.renew_time = format_micro_time(client_.clock().wall_now());
  if (!mine) {
    next.acquire_time = next.renew_time;
    next.transitions = record.transitions + 1;
  }
  lease["spec"] = lease_spec(next);
  auto updated = client_.replace(lease_ref_, lease, {}, ctx);
  if (!updated) {
    if (updated.error().kind != ErrorKind::Conflict) {
      spdlog::warn("k8s: leader election: updating lease: {}", updated.error().describe());
    }
    return false;
  }
  observe(next, client_.clock().now());
  return true;
}

std::chrono::nanoseconds LeaderElector::jittered_retry() {
  double spread = 1.0 + 0.2 * client_.random().uniform();
  return duration_cast<std::chrono::nanoseconds>(cfg_.retry_period * spread);
}

bool LeaderElector::campaign(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto attempt_at = client_.clock().now();
    if (try_acquire_or_renew({stop, std::nullopt})) {
      renewed_at_.store(attempt_at.time_since_epoch().count());
      leading_.store(true);
      spdlog::info("k8s: leader election: {} leads {}/{}", cfg_.identity, cfg_.lease_namespace,
                   cfg_.lease_name);
      if (callbacks_.on_started_leading) callbacks_.on_started_leading();
      return true;
    }
    client_.clock().sleep_for(jittered_retry(), stop);
  }
  return false;
}

void LeaderElector::report_loss(const char* why) {
  // Report the loss before anything else can be written.
  leading_.store(false);
  spdlog::error("k8s: leader election: {} lost {}/{} ({})", cfg_.identity, cfg_.lease_namespace,
                cfg_.lease_name, why);
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
}

void LeaderElector::lead(std::stop_token stop) {
  // Every retry period, and at the deadline itself: the loss is reported
  // when it happens, not up to a retry period later.
  auto next_wait = [&] {
    auto left = renewed_at() + cfg_.renew_deadline - client_.clock().now();
    return std::clamp<std::chrono::nanoseconds>(left, std::chrono::nanoseconds(0),
                                                cfg_.retry_period);
  };
  while (client_.clock().sleep_for(next_wait(), stop)) {
    auto attempt_at = client_.clock().now();
    auto deadline = renewed_at() + cfg_.renew_deadline;
    if (attempt_at < deadline && try_acquire_or_renew({stop, deadline})) {
      renewed_at_.store(attempt_at.time_since_epoch().count());
      continue;
    }
    if (stop.stop_requested()) break;
    if (other_holder_.load()) return report_loss("another holder took the lease");
    if (client_.clock().now() >= deadline) return report_loss("no renewal within the deadline");
  }
  // The work guarded by the lease stops (is_leader() false, the callback has
  // returned) before the lease is handed over: releasing first would let
  // another candidate lead while our workers still pass is_leader().
  bool release = cfg_.release_on_stop && is_leader();
  leading_.store(false);
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
  if (release) this->release();
}

void LeaderElector::release() {
  // Still within our term: never write after it ends. A stop must be prompt
  // even against a server that never answers, so the release gets a short
  // budget of its own rather than the rest of the renew deadline.
  auto budget = std::min<std::chrono::nanoseconds>(cfg_.retry_period, seconds(2));
  auto deadline = std::min(renewed_at() + cfg_.renew_deadline, client_.clock().now() + budget);
  CallContext ctx{{}, deadline};
  auto current = client_.get(lease_ref_, ctx);
  if (!current || parse_lease_record(*current).holder != cfg_.identity) return;
  LeaseRecord r = parse_lease_record(*current);
  r.holder.clear();
  r.lease_duration = seconds(1);
  r.renew_time = format_micro_time(client_.clock().wall_now());
  (*current)["spec"] = lease_spec(r);
  if (auto ok = client_.replace(lease_ref_, *current, {}, ctx); !ok) {
    spdlog::warn("k8s: leader election: releasing lease: {}", ok.error().describe());
  }
}

void LeaderElector::run(std::stop_token stop) {
  if (campaign(stop)) lead(stop);
}

}  // namespace k8s
