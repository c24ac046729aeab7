#pragma once
// `rightsizer run` as it runs in a pod, but on this machine: as the
// ServiceAccount that manifests/ installs, through the in-cluster config
// path. The process sees KUBERNETES_SERVICE_HOST/PORT and a TokenRequest
// token, the cluster CA and its namespace at
// /var/run/secrets/kubernetes.io/serviceaccount, bind-mounted from a
// temporary directory in a mount namespace of its own (`unshare --mount`,
// which needs root), so that nothing test-only exists in the product.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/cluster.h"
#include "support/metrics_text.h"

namespace e2e {

inline constexpr const char* kOperatorNamespace = "rightsizer-system";
inline constexpr const char* kServiceAccount = "rightsizer";
inline constexpr const char* kServiceAccountUser =
    "system:serviceaccount:rightsizer-system:rightsizer";

// A free TCP port on 127.0.0.1 outside the kernel's ephemeral range (an
// outgoing connection cannot take it before the operator binds it).
int free_port();

// The files a pod's service-account volume holds, in a temporary directory
// removed with the object: `token` (a TokenRequest token of the operator's
// ServiceAccount), `ca.crt` (the cluster CA) and `namespace`.
class ServiceAccountFiles {
 public:
  ServiceAccountFiles();
  ~ServiceAccountFiles();
  ServiceAccountFiles(const ServiceAccountFiles&) = delete;
  ServiceAccountFiles& operator=(const ServiceAccountFiles&) = delete;
  const std::string& dir() const { return dir_; }
  const std::string& token() const { return token_; }

 private:
  std::string dir_;
  std::string token_;
};

// `program` as a pod's container runs it: in a mount namespace of its own
// with `sa` at the service-account path, KUBERNETES_SERVICE_HOST/PORT set to
// the test apiserver, without KUBECONFIG, and HOME pointing at `sa`'s
// directory (no ~/.kube/config). Returns the argv to exec; the program
// keeps the pid of the returned command.
std::vector<std::string> pod_argv(const ServiceAccountFiles& sa,
                                  const std::vector<std::string>& program);

// Runs `program` that way to completion (e.g. kubectl, which then uses its
// own in-cluster config).
itest::CommandResult run_in_pod(const ServiceAccountFiles& sa,
                                const std::vector<std::string>& program);

struct OperatorOptions {
  std::string name = "operator";  // names its log file
  // The Lease; empty: one of its own, so that operators of earlier tests
  // (perhaps killed while leading) do not hold it.
  std::string lease_id;
  std::string metrics_interval = "5s";
  std::string lease_duration = "15s";
  std::string renew_deadline = "10s";
  std::string retry_period = "2s";
  std::string log_level = "debug";
  std::vector<std::string> extra_args;
};

class OperatorProcess {
 public:
  OperatorProcess(const ServiceAccountFiles& sa, OperatorOptions options);
  ~OperatorProcess();  // SIGTERM, then SIGKILL after 15 s
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  // /readyz answered 200 within `timeout` (false at once if it exited).
  bool wait_ready(std::chrono::seconds timeout);
  // GET /metrics, parsed; empty when it does not answer.
  std::vector<MetricSample> metrics() const;
  std::string metrics_text() const;
  // rightsizer_leader is 1.
  bool leading() const;

  bool running();
  // SIGTERM; its exit status once it exits within `timeout`, else nullopt
  // (and it is killed).
  std::optional<int> terminate(std::chrono::seconds timeout);
  void kill();  // SIGKILL, reaped

  int pid() const { return pid_; }
  const std::string& lease_id() const { return options_.lease_id; }
  const std::string& log_file() const { return log_file_; }
  // The last `lines` lines of its output, for failure messages.
  std::string log_tail(int lines = 40) const;

  // From /proc: resident set size, its high-water mark (VmHWM: the true
  // peak, which sampling RSS can miss) and CPU time used so far.
  std::optional<long long> rss_bytes() const;
  std::optional<long long> peak_rss_bytes() const;
  std::optional<double> cpu_seconds() const;

 private:
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // A "VmXxx:" field of /proc/PID/status, in bytes.
  std::optional<long long> status_kib(const std::string& field) const;

  OperatorOptions options_;
  int pid_ = -1;
  std::optional<int> exit_status_;
  int probe_port_ = 0;
  int metrics_port_ = 0;
  std::string log_file_;
};

}  // namespace e2e
