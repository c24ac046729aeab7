#include "k8s/name_resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <condition_variable>
#include <optional>
#include <system_error>
#include <thread>

namespace k8s {
namespace {

class SystemResolver final : public NameResolver {
 public:
  Result<std::vector<std::string>> resolve(const std::string& host) override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0) return make_error(ErrorKind::Transport, host + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
    std::vector<std::string> out;
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
      char text[NI_MAXHOST];
      if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) ==
          0) {
        out.emplace_back(text);
      }
    }
    if (out.empty()) return make_error(ErrorKind::Transport, host + ": no address");
    return out;
  }
};

}  // namespace

std::shared_ptr<NameResolver> make_system_resolver() {
  return std::make_shared<SystemResolver>();
}

// Shared by the lookup's thread and every caller waiting for it.
struct BoundedNameLookup::Lookup {
  std::mutex mu;
  std::condition_variable_any done;
  std::optional<Result<std::vector<std::string>>> answer;
};

BoundedNameLookup::BoundedNameLookup(std::shared_ptr<NameResolver> resolver)
    : resolver_(std::move(resolver)) {}

Result<std::shared_ptr<BoundedNameLookup::Lookup>> BoundedNameLookup::join_or_start(
    const std::string& host) {
  std::lock_guard lock(mu_);
  auto& slot = in_flight_[host];
  if (slot) {
    std::lock_guard running(slot->mu);
    if (!slot->answer) return slot;
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    // Owns copies of what it uses, so it may outlive this object.
    std::thread([lookup, resolver = resolver_, host] {
      auto answer = resolver->resolve(host);
      std::lock_guard done(lookup->mu);
      lookup->answer = std::move(answer);
      lookup->done.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return make_error(ErrorKind::Transport, "resolving " + host + ": " + e.what());
  }
  slot = lookup;
  return lookup;
}

Result<std::vector<std::string>> BoundedNameLookup::resolve(
    const std::string& host, std::chrono::steady_clock::duration timeout,
    const std::stop_token& stop) {
  if (stop.stop_requested())
    return make_error(ErrorKind::Cancelled, "resolving " + host + ": cancelled");
  auto lookup = join_or_start(host);
  if (!lookup) return lookup.error();
  Lookup& l = **lookup;
  std::unique_lock lock(l.mu);
  if (l.done.wait_for(lock, stop, timeout, [&] { return l.answer.has_value(); })) return *l.answer;
  if (stop.stop_requested())
    return make_error(ErrorKind::Cancelled, "resolving " + host + ": cancelled");
  return make_error(ErrorKind::Timeout, "resolving " + host + ": timed out");
}

}  // namespace k8s
