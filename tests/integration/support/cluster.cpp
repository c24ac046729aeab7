#include "support/cluster.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;

namespace itest {
namespace {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> kv;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ClusterEnv load() {
  const char* dir = std::getenv("RIGHTSIZER_CLUSTER_DIR");
  if (dir == nullptr || *dir == '\0') {
    std::cerr << "RIGHTSIZER_CLUSTER_DIR is not set: run integration tests through ctest, "
                 "which starts the cluster fixture (hack/cluster up)\n";
    std::abort();
  }
  auto kv = read_env_file(std::string(dir) + "/env");
  if (kv.empty()) {
    std::cerr << "no cluster in " << dir << " (missing env file): hack/cluster up\n";
    std::abort();
  }
  ClusterEnv env;
  env.data_dir = dir;
  env.kubeconfig = kv["KUBECONFIG"];
  env.apiserver_url = kv["KUBE_APISERVER_URL"];
  env.ca_file = kv["CLUSTER_CA"];
  env.etcd_endpoint = kv["ETCD_ENDPOINT"];
  env.prometheus_url = kv["PROMETHEUS_URL"];
  env.prometheus_targets_dir = kv["PROMETHEUS_TARGETS_DIR"];
  env.bin_dir = kv["CLUSTER_BIN_DIR"];
  return env;
}

}  // namespace

const ClusterEnv& ClusterEnv::get() {
  static const ClusterEnv env = load();
  return env;
}

std::string ClusterEnv::bin(std::string_view tool) const {
  // bin_dir may be a PATH-style list; take the first that has the tool.
  std::stringstream dirs(bin_dir);
  std::string d;
  while (std::getline(dirs, d, ':')) {
    std::string candidate = d + "/" + std::string(tool);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::string(tool);
}

CommandResult run(const std::vector<std::string>& argv, std::string_view stdin_text) {
  CommandResult result;
  if (argv.empty()) return result;
  static std::atomic<int> counter{0};
  const std::string base =
      "/tmp/itest-" + std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1));
  const std::string in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  {
    std::ofstream in(in_path, std::ios::binary);
    in.write(stdin_text.data(), static_cast<std::streamsize>(stdin_text.size()));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    result.err = "cannot start " + argv[0];
  } else {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = slurp(out_path);
    result.err = slurp(err_path);
  }
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

CommandResult kubectl(std::vector<std::string> args, std::string_view stdin_text) {
  const auto& env = ClusterEnv::get();
  std::vector<std::string> argv{env.bin("kubectl"), "--kubeconfig=" + env.kubeconfig};
  argv.insert(argv.end(), std::make_move_iterator(args.begin()),
              std::make_move_iterator(args.end()));
  return run(argv, stdin_text);
}

bool eventually(const std::function<bool()>& pred, std::chrono::seconds timeout,
                std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

namespace {

// Namespace names: lower-case DNS labels, unique per process and call.
std::string unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  std::string name;
  for (char c : prefix) {
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '-';
  }
  if (name.size() > 40) name.resize(40);
  name += "-" + std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1));
  return name;
}

}  // namespace

TestNamespace::TestNamespace(std::string_view prefix) : name_(unique_name(prefix)) {
  auto r = kubectl({"create", "namespace", name_});
  if (!r.ok()) {
    std::cerr << "cannot create namespace " << name_ << ": " << r.err << '\n';
    std::abort();
  }
  // Pods need the namespace's default ServiceAccount, which the controller
  // manager creates shortly after the namespace.
  eventually(
      [&] {
        return kubectl({"-n", name_, "get", "serviceaccount", "default"}).ok();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200));
}

TestNamespace::~TestNamespace() {
  kubectl({"delete", "namespace", name_, "--wait=false"});
}

}  // namespace itest
