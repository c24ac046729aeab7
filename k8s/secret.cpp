#include "k8s/secret.h"

#include <regex>

namespace k8s {

std::string redact(std::string text) {
  static const std::regex kBearer(R"((Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+)", std::regex::icase);
  static const std::regex kAuthHeader(R"((authorization\s*[:=]\s*)[^\r\n,;]+)", std::regex::icase);
  static const std::regex kPrivateKey(
      R"(-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END ([A-Z ]*)PRIVATE KEY-----)");
  static const std::regex kJwt(R"(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)");
  text = std::regex_replace(text, kPrivateKey, "<redacted private key>");
  text = std::regex_replace(text, kAuthHeader, "$1<redacted>");
  text = std::regex_replace(text, kBearer, "$1 <redacted>");
  text = std::regex_replace(text, kJwt, "<redacted token>");
  return text;
}

}  // namespace k8s
