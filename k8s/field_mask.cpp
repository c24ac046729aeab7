#include "k8s/field_mask.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>

namespace k8s {
namespace {

using Node = FieldMask::Node;

void add_path(Node& root, std::string_view path) {
  Node* node = &root;
  while (!path.empty()) {
    auto dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    if (part.size() >= 2 && part.substr(part.size() - 2) == "[]") part.remove_suffix(2);
    node = &node->children[std::string(part)];
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  node->keep_all = true;
  node->children.clear();
}

// A forward-only JSON scanner over one text; structural errors are reported,
// the insides of skipped strings and numbers are not validated.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  Result<nlohmann::json> document(const Node& mask) {
    auto v = value(mask);
    if (!v) return v;
    skip_ws();
    if (p_ != end_) return fail("trailing data");
    return v;
  }

 private:
  Error fail(const char* what) const {
    return make_error(ErrorKind::Decode, std::string("invalid JSON: ") + what);
  }

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // p_ at the opening quote; leaves p_ after the closing quote.
  bool skip_string() {
    const char* s = p_ + 1;
    for (;;) {
      auto* q = static_cast<const char*>(std::memchr(s, '"', size_t(end_ - s)));
      if (!q) return false;
      const char* b = q;
      while (b > s && b[-1] == '\\') --b;
      if ((q - b) % 2 == 0) {
        p_ = q + 1;
        return true;
      }
      s = q + 1;
    }
  }

  bool skip_value() {
    skip_ws();
    if (p_ >= end_) return false;
    if (*p_ == '"') return skip_string();
    if (*p_ != '{' && *p_ != '[') {
      const char* start = p_;
      while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && *p_ != ' ' && *p_ != '\n' &&
             *p_ != '\r' && *p_ != '\t') {
        ++p_;
      }
      return p_ > start;  // `{"a":}` has no value at all
    }
    int depth = 0;
    while (p_ < end_) {
      char c = *p_;
      if (c == '"') {
        if (!skip_string()) return false;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) {
          ++p_;
          return true;
        }
      }
      ++p_;
    }
    return false;
  }

  // Most kept leaves are plain strings or integers: build those directly,
  // and leave everything else to nlohmann's parser.
  static std::optional<nlohmann::json> simple_scalar(std::string_view text) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
        text.find('\\') == std::string_view::npos) {
      return nlohmann::json(std::string(text.substr(1, text.size() - 2)));
    }
    if (text == "true") return nlohmann::json(true);
    if (text == "false") return nlohmann::json(false);
    if (text == "null") return nlohmann::json(nullptr);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    bool plain_int = ec == std::errc{} && end == text.data() + text.size() &&
                     !(text.size() > 1 && (text[0] == '0' || (text[0] == '-' && text[1] == '0')));
    if (plain_int) return nlohmann::json(n);
    return std::nullopt;
  }

  Result<nlohmann::json> parse_slice(const char* from) {
    std::string_view text(from, size_t(p_ - from));
    if (text.empty()) return fail("missing value");
    if (text.front() != '{' && text.front() != '[') {
      if (auto v = simple_scalar(text)) return std::move(*v);
    }
    auto v = nlohmann::json::parse(from, p_, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) return fail("malformed value");
    return v;
  }

  Result<nlohmann::json> value(const Node& mask) {
    skip_ws();
    if (p_ >= end_) return fail("unexpected end");
    if (mask.keep_all || (*p_ != '{' && *p_ != '[')) {
      const char* from = p_;
      if (!skip_value()) return fail("unterminated value");
      if (!mask.keep_all) return nlohmann::json();  // a scalar where the mask wanted structure
      return parse_slice(from);
    }
    return *p_ == '{' ? object(mask) : array(mask);
  }

  Result<nlohmann::json> array(const Node& mask) {
    ++p_;
    nlohmann::json out = nlohmann::json::array();
    skip_ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return out;
    }
    for (;;) {
      auto v = value(mask);
      if (!v) return v;
      out.push_back(std::move(*v));
      skip_ws();
      if (p_ >= end_) return fail("unterminated array");
      if (*p_ == ']') {
        ++p_;
        return out;
      }
      if (*p_++ != ',') return fail("expected , or ] in array");
    }
  }

  Result<nlohmann::json> object(const Node& mask) {
    ++p_;
    nlohmann::json out = nlohmann::json::object();
    skip_ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return out;
    }
    for (;;) {
      skip_ws();
      if (p_ >= end_ || *p_ != '"') return fail("expected a key");
      const char* key_start = p_ + 1;
      if (!skip_string()) return fail("unterminated key");
      std::string_view key(key_start, size_t(p_ - 1 - key_start));
      skip_ws();
      if (p_ >= end_ || *p_++ != ':') return fail("expected :");
      auto child = mask.children.find(key);
      if (child == mask.children.end()) {
        if (!skip_value()) return fail("unterminated value");
      } else {
        auto v = value(child->second);
        if (!v) return v;
        out[std::string(key)] = std::move(*v);
      }
      skip_ws();
      if (p_ >= end_) return fail("unterminated object");
      if (*p_ == '}') {
        ++p_;
        return out;
      }
      if (*p_++ != ',') return fail("expected , or } in object");
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

FieldMask::FieldMask() {
  auto root = std::make_shared<Node>();
  root->keep_all = true;
  root_ = std::move(root);
}

FieldMask::FieldMask(std::initializer_list<std::string_view> paths)
    : FieldMask(std::vector<std::string>(paths.begin(), paths.end())) {}

FieldMask::FieldMask(const std::vector<std::string>& paths) : paths_(paths) {
  auto root = std::make_shared<Node>();
  for (const auto& p : paths) add_path(*root, p);
  root_ = std::move(root);
}

FieldMask FieldMask::with(const std::vector<std::string>& more) const {
  if (keeps_everything()) return *this;
  auto all = paths_;
  all.insert(all.end(), more.begin(), more.end());
  return FieldMask(all);
}

Result<nlohmann::json> FieldMask::decode(std::string_view text) const {
  if (root_->keep_all) {
    auto v = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) return make_error(ErrorKind::Decode, "invalid JSON");
    return v;
  }
  return Scanner(text).document(*root_);
}

FieldMask FieldMask::for_watch_event() const {
  auto root = std::make_shared<Node>();
  root->children["type"].keep_all = true;
  auto& object = root->children["object"] = *root_;
  if (!object.keep_all) {
    // An ERROR event carries a metav1.Status, whatever the watched kind.
    for (const char* key : {"code", "reason", "message", "details"})
      object.children[key].keep_all = true;
  }
  return FieldMask(std::shared_ptr<const Node>(std::move(root)));
}

FieldMask FieldMask::for_list() const {
  auto root = std::make_shared<Node>();
  auto& meta = root->children["metadata"];
  meta.children["resourceVersion"].keep_all = true;
  meta.children["continue"].keep_all = true;
  root->children["items"] = *root_;
  return FieldMask(std::shared_ptr<const Node>(std::move(root)));
}

}  // namespace k8s
