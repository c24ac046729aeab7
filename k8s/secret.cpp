#include "k8s/secret.h"

#include <algorithm>
#include <cctype>

namespace k8s {
namespace {

// A hand-written scanner rather than <regex>: predictable cost on any input.

size_t find_icase(const std::string& text, std::string_view needle, size_t from) {
  auto it = std::search(text.begin() + long(std::min(from, text.size())), text.end(),
                        needle.begin(), needle.end(), [](char a, char b) {
                          return std::tolower((unsigned char)a) == std::tolower((unsigned char)b);
                        });
  return it == text.end() ? std::string::npos : size_t(it - text.begin());
}

bool token_char(char c) {
  return std::isalnum((unsigned char)c) || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/' || c == '=' || c == '-';
}

void redact_private_keys(std::string& text) {
  size_t at = 0;
  while ((at = text.find("-----BEGIN ", at)) != std::string::npos) {
    size_t header_end = text.find("-----", at + 11);
    if (header_end == std::string::npos) return;
    if (text.substr(at, header_end - at).find("PRIVATE KEY") == std::string::npos) {
      at = header_end;
      continue;
    }
    size_t end = text.find("-----END ", header_end);
    size_t close = end == std::string::npos ? std::string::npos : text.find("-----", end + 9);
    size_t stop = close == std::string::npos ? text.size() : close + 5;
    text.replace(at, stop - at, "<redacted private key>");
    at += 22;
  }
}

// Replaces the run of token characters after each `prefix` (and separators).
void redact_after(std::string& text, std::string_view prefix, std::string_view separators,
                  bool to_line_end) {
  size_t at = 0;
  while ((at = find_icase(text, prefix, at)) != std::string::npos) {
    size_t start = at + prefix.size();
    while (start < text.size() && separators.find(text[start]) != std::string_view::npos) ++start;
    size_t end = start;
    if (to_line_end) {
      while (end < text.size() && text[end] != '\n' && text[end] != '\r' && text[end] != ',' &&
             text[end] != ';')
        ++end;
    } else {
      while (end < text.size() && token_char(text[end])) ++end;
    }
    if (end > start && text.compare(start, end - start, "<redacted>") != 0) {
      text.replace(start, end - start, "<redacted>");
    }
    at = start + 1;
  }
}

void redact_jwts(std::string& text) {
  size_t at = 0;
  while ((at = text.find("eyJ", at)) != std::string::npos) {
    size_t end = at;
    int dots = 0;
    while (end < text.size() && (std::isalnum((unsigned char)text[end]) || text[end] == '-' ||
                                 text[end] == '_' || text[end] == '.')) {
      dots += text[end] == '.';
      ++end;
    }
    if (dots >= 2) {
      text.replace(at, end - at, "<redacted token>");
      at += 16;
    } else {
      at = end;
    }
  }
}

}  // namespace

std::string redact(std::string text) {
  redact_private_keys(text);
  redact_after(text, "authorization", " \t:=\"", true);
  redact_after(text, "bearer ", " ", false);
  redact_after(text, "basic ", " ", false);
  redact_jwts(text);
  return text;
}

}  // namespace k8s
