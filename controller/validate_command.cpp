#include "controller/validate_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "controller/yaml_json.h"
#include "k8s/bounded_yaml.h"
#include "policies/policy_json.h"

namespace controller {
namespace {

constexpr std::string_view kUsage =
    "usage: rightsizer validate -f FILE|DIR [-f FILE|DIR | FILE|DIR]...\n"
    "  Validates RightsizePolicy files (YAML or JSON; several documents per file;\n"
    "  a directory's .yaml, .yml and .json files).\n"
    "  Exit status: 0 all valid, 1 problems found, 2 usage error.\n";

struct Counts {
  int objects = 0;  // every non-empty document or List item, policy or not
  int policies = 0;
  int problems = 0;
};

// Larger files are refused before they are read: a policy is a few KiB, and
// YAML parsing costs about 90 bytes of memory per byte of text.
constexpr std::size_t kMaxFileBytes = k8s::YamlLimits{}.max_bytes;

policies::Result<std::string> read_file(const std::string& path) {
  const std::string too_large =
      "larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB; refused";
  std::ostringstream buf;
  if (path == "-") {
    std::string text(kMaxFileBytes + 1, '\0');
    std::cin.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(std::cin.gcount()));
    if (text.size() > kMaxFileBytes) return policies::make_error(too_large);
    return text;
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxFileBytes) return policies::make_error(too_large);
  std::ifstream in(path, std::ios::binary);
  if (!in) return policies::make_error("cannot open file");
  buf << in.rdbuf();
  if (in.bad()) return policies::make_error("cannot read file");
  return buf.str();
}

// Like kubectl -f DIR: the directory's .yaml, .yml and .json files, in name
// order, not recursing.
std::vector<std::string> expand(const std::string& path, std::ostream& out, Counts& counts) {
  std::error_code ec;
  if (path == "-" || !std::filesystem::is_directory(path, ec)) return {path};
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  if (ec) {
    out << path << ": cannot read directory: " << ec.message() << '\n';
    ++counts.problems;
  } else if (files.empty()) {
    out << path << ": no .yaml, .yml or .json files in the directory\n";
    ++counts.problems;
  }
  return files;
}

// Names are user input: show bytes that are not printable ASCII escaped.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f) {
      out += c;
    } else {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

bool ends_with_json(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
}

// The deepest nesting of arrays and objects in JSON text (strings skipped):
// deeply nested values would overflow the stack of whatever walks them.
int json_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (escaped) {
      escaped = false;
    } else if (in_string) {
      escaped = c == '\\';
      in_string = c != '"';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

policies::Result<std::vector<nlohmann::json>> documents(const std::string& path,
                                                        const std::string& text) {
  if (!ends_with_json(path)) return yaml_to_json(text);
  if (json_depth(text) > k8s::YamlLimits{}.max_depth)
    return policies::make_error("JSON nested deeper than " +
                                std::to_string(k8s::YamlLimits{}.max_depth) + " levels; refused");
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return policies::make_error("invalid JSON");
  return std::vector<nlohmann::json>{std::move(doc)};
}

void check_document(const nlohmann::json& doc, const std::string& where, std::ostream& out,
                    Counts& counts) {
  ++counts.objects;
  const auto field = [&](const char* key) {
    return doc.is_object() && doc.contains(key) && doc[key].is_string()
               ? doc[key].get<std::string>()
               : std::string();
  };
  const std::string api_version = field("apiVersion");
  if (doc.is_object() && !api_version.starts_with("rightsizer.io/") && doc.contains("kind") &&
      !api_version.empty()) {
    out << where << ": skipped " << field("kind") << " (" << api_version << ")\n";
    return;
  }
  if (api_version.starts_with("rightsizer.io/") && field("kind") == "Rightsizing") return;
  ++counts.policies;
  const auto parsed = policies::parse_policy_object(doc);
  const std::string name = parsed.name.empty() ? "" : " (" + printable(parsed.name) + ")";
  for (const auto& p : parsed.problems) {
    out << where << name << ": " << (p.path.empty() ? "<document>" : p.path) << ": " << p.message
        << '\n';
    ++counts.problems;
  }
}

void check_file(const std::string& path, std::ostream& out, Counts& counts) {
  auto text = read_file(path);
  if (!text) {
    out << path << ": " << text.error() << '\n';
    ++counts.problems;
    return;
  }
  auto docs = documents(path, *text);
  if (!docs) {
    out << path << ": " << docs.error() << '\n';
    ++counts.problems;
    return;
  }
  const int before = counts.objects;
  for (std::size_t i = 0; i < docs->size(); ++i) {
    const nlohmann::json& doc = (*docs)[i];
    if (doc.is_null()) continue;
    const std::string where = path + ": document " + std::to_string(i + 1);
    if (doc.is_object() && doc.contains("kind") && doc["kind"] == "List" && doc.contains("items") &&
        doc["items"].is_array()) {
      for (std::size_t j = 0; j < doc["items"].size(); ++j)
        check_document(doc["items"][j], where + " item " + std::to_string(j + 1), out, counts);
      continue;
    }
    check_document(doc, where, out, counts);
  }
  // As kubectl says "no objects passed": an empty file is a mistake, not a pass.
  if (counts.objects == before) {
    out << path << ": no objects in the file\n";
    ++counts.problems;
  }
}

}  // namespace

int run_validate(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    }
    if (a == "-f" || a == "--filename") {
      if (i + 1 >= args.size()) {
        err << "rightsizer validate: " << a << " needs a file name\n" << kUsage;
        return 2;
      }
      files.emplace_back(args[++i]);
    } else if (a.starts_with("-f=") || a.starts_with("--filename=")) {
      files.emplace_back(a.substr(a.find('=') + 1));
    } else if (a.starts_with("-") && a != "-") {
      err << "rightsizer validate: unknown flag " << a << "\n" << kUsage;
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) {
    err << "rightsizer validate: no files given\n" << kUsage;
    return 2;
  }
  Counts counts;
  for (const auto& f : files)
    for (const auto& file : expand(f, out, counts)) check_file(file, out, counts);
  out << counts.policies << (counts.policies == 1 ? " policy, " : " policies, ") << counts.problems
      << (counts.problems == 1 ? " problem\n" : " problems\n");
  return counts.problems == 0 ? 0 : 1;
}

}  // namespace controller
