#include "support/operator_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "support/cluster.h"

extern char** environ;

namespace e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// In the new mount namespace: the temporary directory appears where a pod's
// service-account volume is, then the operator replaces the shell. The
// mount point is created on the host if missing (an empty directory under
// /run); the mount itself is private to the process.
constexpr const char* kMountScript =
    "set -e; d=/var/run/secrets/kubernetes.io/serviceaccount; mkdir -p \"$d\"; "
    "mount --bind \"$1\" \"$d\"; shift; exec \"$@\"";

int unique_counter() {
  static std::atomic<int> n{0};
  return n.fetch_add(1);
}

bool bindable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// GET http://127.0.0.1:port/path: the body, or nullopt unless 200.
std::optional<std::string> http_get(int port, const std::string& path) {
  const auto r = itest::run(
      {"curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + path});
  if (!r.ok()) return std::nullopt;
  return r.out;
}

std::string log_dir() {
  const fs::path dir = fs::current_path() / "e2e-logs";
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace

std::vector<std::string> pod_argv(const ServiceAccountFiles& sa,
                                  const std::vector<std::string>& program) {
  const std::string url = itest::ClusterEnv::get().apiserver_url;  // https://127.0.0.1:PORT
  // The apiserver's serving certificate names IP:127.0.0.1.
  std::vector<std::string> argv{"env",
                                "-u",
                                "KUBECONFIG",
                                "HOME=" + sa.dir(),
                                "KUBERNETES_SERVICE_HOST=127.0.0.1",
                                "KUBERNETES_SERVICE_PORT=" + url.substr(url.rfind(':') + 1),
                                "unshare",
                                "--mount",
                                "--propagation",
                                "private",
                                "/bin/sh",
                                "-c",
                                kMountScript,
                                "sh",
                                sa.dir()};
  argv.insert(argv.end(), program.begin(), program.end());
  return argv;
}

itest::CommandResult run_in_pod(const ServiceAccountFiles& sa,
                                const std::vector<std::string>& program) {
  return itest::run(pod_argv(sa, program));
}

int free_port() {
  int lo = 32768, hi = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> lo >> hi;
  std::vector<std::pair<int, int>> ranges;
  if (lo > 10000) ranges.emplace_back(10000, lo - 1);
  if (hi < 65535) ranges.emplace_back(hi + 1, 65535);
  static std::mt19937 rng(static_cast<unsigned>(::getpid()) ^ std::random_device{}());
  for (int attempt = 0; attempt < 1000 && !ranges.empty(); ++attempt) {
    const auto& [a, b] = ranges[rng() % ranges.size()];
    const int port = a + static_cast<int>(rng() % static_cast<unsigned>(b - a + 1));
    if (bindable(port)) return port;
  }
  std::cerr << "no free port outside the ephemeral range\n";
  std::abort();
}

ServiceAccountFiles::ServiceAccountFiles() {
  std::string tmpl = (fs::temp_directory_path() / "rightsizer-e2e-sa-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::cerr << "cannot make a temporary directory\n";
    std::abort();
  }
  dir_ = tmpl;
  const auto r = itest::kubectl(
      {"create", "token", kServiceAccount, "-n", kOperatorNamespace, "--duration=2h"});
  if (!r.ok()) {
    std::cerr << "kubectl create token: " << r.err << '\n';
    std::abort();
  }
  token_ = r.out;
  while (!token_.empty() && (token_.back() == '\n' || token_.back() == '\r')) token_.pop_back();
  write_file(fs::path(dir_) / "token", token_);
  write_file(fs::path(dir_) / "ca.crt", slurp(itest::ClusterEnv::get().ca_file));
  write_file(fs::path(dir_) / "namespace", kOperatorNamespace);
}

ServiceAccountFiles::~ServiceAccountFiles() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

OperatorProcess::OperatorProcess(const ServiceAccountFiles& sa, OperatorOptions options)
    : options_(std::move(options)), probe_port_(free_port()), metrics_port_(free_port()) {
  while (metrics_port_ == probe_port_) metrics_port_ = free_port();
  const int n = unique_counter();
  if (options_.lease_id.empty())
    options_.lease_id = "rightsizer-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(n);
  log_file_ = log_dir() + "/" + options_.name + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(n) + ".log";
  std::vector<std::string> program{
      RIGHTSIZER_BIN,
      "run",
      "--metrics-interval=" + options_.metrics_interval,
      "--health-probe-bind-address=127.0.0.1:" + std::to_string(probe_port_),
      "--metrics-bind-address=127.0.0.1:" + std::to_string(metrics_port_),
      "--leader-election-id=" + options_.lease_id,
      "--lease-duration=" + options_.lease_duration,
      "--renew-deadline=" + options_.renew_deadline,
      "--retry-period=" + options_.retry_period,
      "--log-format=json",
      "--log-level=" + options_.log_level};
  program.insert(program.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<std::string> argv = pod_argv(sa, program);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ) == 0) pid_ = pid;
  posix_spawn_file_actions_destroy(&actions);
}

OperatorProcess::~OperatorProcess() {
  if (pid_ > 0 && !exit_status_) (void)terminate(15s);
}

bool OperatorProcess::running() {
  if (pid_ <= 0 || exit_status_) return false;
  return !wait_exit(0ms).has_value();
}

std::optional<int> OperatorProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_status_;
    }
    if (r < 0 && errno != EINTR) return exit_status_ = -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

bool OperatorProcess::wait_ready(std::chrono::seconds timeout) {
  return itest::eventually(
             [&] {
               if (!running()) return true;  // stop waiting; the result below says false
               return http_get(probe_port_, "/readyz").has_value();
             },
             timeout, 250ms) &&
         running();
}

std::string OperatorProcess::metrics_text() const {
  return http_get(metrics_port_, "/metrics").value_or("");
}

std::vector<MetricSample> OperatorProcess::metrics() const {
  return parse_metrics(metrics_text());
}

bool OperatorProcess::leading() const {
  return metric_sum(metrics(), "rightsizer_leader") == 1;
}

std::optional<int> OperatorProcess::terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0 || exit_status_) return exit_status_;
  ::kill(pid_, SIGTERM);
  if (auto s = wait_exit(timeout)) return s;
  kill();
  return std::nullopt;
}

void OperatorProcess::kill() {
  if (pid_ <= 0 || exit_status_) return;
  ::kill(pid_, SIGKILL);
  (void)wait_exit(30s);
}

std::string OperatorProcess::log_tail(int lines) const {
  std::ifstream in(log_file_);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out = "--- last lines of " + log_file_ + "\n";
  for (const auto& l : last) out += l + "\n";
  return out;
}

std::optional<long long> OperatorProcess::rss_bytes() const {
  return status_kib("VmRSS:");
}

std::optional<long long> OperatorProcess::peak_rss_bytes() const {
  return status_kib("VmHWM:");
}

std::optional<long long> OperatorProcess::status_kib(const std::string& field) const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  while (in >> key) {
    if (key == field) {
      long long kib = 0;
      in >> kib;
      return kib * 1024;
    }
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

std::optional<double> OperatorProcess::cpu_seconds() const {
  const std::string stat = slurp("/proc/" + std::to_string(pid_) + "/stat");
  // Fields after the command name (which may hold spaces) in parentheses.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace e2e
