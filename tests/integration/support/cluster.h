#pragma once
// Helpers for tests that run against the local cluster of hack/cluster:
// its coordinates, commands (kubectl, etcdctl, rightsizer) run as
// subprocesses, a namespace per test, and polling with a deadline.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace itest {

// Where the cluster started by the ctest fixture is; read once from
// $RIGHTSIZER_CLUSTER_DIR/env. Aborts the test program if it is missing.
struct ClusterEnv {
  std::string data_dir;                // the cluster's directory
  std::string kubeconfig;              // admin (client certificate, system:masters)
  std::string apiserver_url;           // https://127.0.0.1:PORT
  std::string ca_file;                 // the cluster CA
  std::string etcd_endpoint;           // http://127.0.0.1:PORT
  std::string prometheus_url;          // http://127.0.0.1:PORT
  std::string prometheus_targets_dir;  // file_sd directory Prometheus watches
  std::string bin_dir;                 // kubectl, etcdctl, ...

  static const ClusterEnv& get();
  std::string bin(std::string_view tool) const;  // bin_dir/tool
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
};

// Runs argv (argv[0] looked up in PATH unless it has a slash), feeding
// stdin_text; captures stdout and stderr. Never throws.
CommandResult run(const std::vector<std::string>& argv, std::string_view stdin_text = {});

// kubectl with the cluster's admin kubeconfig.
CommandResult kubectl(std::vector<std::string> args, std::string_view stdin_text = {});

// Polls pred every `poll` until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& pred, std::chrono::seconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(500));

// A namespace of its own for one test: created with a unique name, deleted
// (without waiting) when the object goes away.
class TestNamespace {
 public:
  explicit TestNamespace(std::string_view prefix);
  ~TestNamespace();
  TestNamespace(const TestNamespace&) = delete;
  TestNamespace& operator=(const TestNamespace&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace itest
