// File, URL and base64 helpers shared by the kubeconfig and in-cluster loaders.
#include <array>
#include <fstream>
#include <sstream>

#include "k8s/config.h"

namespace k8s {

Result<std::string> read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Config, what + ": cannot read file '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return make_error(ErrorKind::Config, what + ": error reading file '" + path + "'");
  return buf.str();
}

Result<void> parse_server_url(const std::string& url, const std::string& field,
                              ClusterConfig& out) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorKind::Config,
                      field + ": '" + url + "' " + why + " (expected https://host[:port])");
  };
  constexpr std::string_view kScheme = "https://";
  if (url.rfind(kScheme, 0) != 0) return fail("is not an https URL");
  std::string rest = url.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    if (rest.find_first_not_of('/', slash) != std::string::npos) return fail("has a path");
    rest.resize(slash);
  }
  std::string host;
  std::string port = "443";
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return fail("has an unterminated IPv6 address");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return fail("has junk after the IPv6 address");
      port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    host = rest;
  }
  if (host.empty()) return fail("has no host");
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5) {
    return fail("has an invalid port");
  }
  out.server = url;
  out.host = host;
  out.port = port;
  return {};
}

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::array<int, 256> decode_table() {
  std::array<int, 256> t{};
  t.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = int(i);
  return t;
}
}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  static const auto kTable = decode_table();
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int v = kTable[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0) return std::nullopt;
    buffer = (buffer << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (padding > 2 || bits >= 6) return std::nullopt;
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
                 (unsigned char)bytes[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    unsigned v = (unsigned char)bytes[i] << 16 | (rest == 2 ? (unsigned char)bytes[i + 1] << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace k8s
