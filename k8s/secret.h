#pragma once
// A credential held in memory. It has no stream operator and no implicit
// conversion, so it cannot end up in a log line by accident; reveal() is
// called only where the bytes go on the wire or into OpenSSL.
#include <string>
#include <utility>

namespace k8s {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  [[nodiscard]] const std::string& reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }
  // What a log line may show instead of the value.
  [[nodiscard]] std::string masked() const { return value_.empty() ? "<empty>" : "<redacted>"; }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

// Replaces credentials in free text (bearer tokens, PEM private keys,
// Authorization header values) with "<redacted>". For text that may echo
// a request, such as an error body or a header dump.
std::string redact(std::string text);

}  // namespace k8s
