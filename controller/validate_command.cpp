#include "controller/validate_command.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "controller/yaml_json.h"
#include "policies/policy_json.h"

namespace controller {
namespace {

constexpr std::string_view kUsage =
    "usage: rightsizer validate -f FILE [-f FILE | FILE]...\n"
    "  Validates RightsizePolicy files (YAML or JSON; several documents per file).\n"
    "  Exit status: 0 all valid, 1 problems found, 2 usage error.\n";

struct Counts {
  int policies = 0;
  int problems = 0;
};

policies::Result<std::string> read_file(const std::string& path) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
    return buf.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return policies::make_error("cannot open file");
  buf << in.rdbuf();
  if (in.bad()) return policies::make_error("cannot read file");
  return buf.str();
}

bool ends_with_json(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
}

policies::Result<std::vector<nlohmann::json>> documents(const std::string& path,
                                                        const std::string& text) {
  if (!ends_with_json(path)) return yaml_to_json(text);
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return policies::make_error("invalid JSON");
  return std::vector<nlohmann::json>{std::move(doc)};
}

void check_document(const nlohmann::json& doc, const std::string& where, std::ostream& out,
                    Counts& counts) {
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
  const std::string name = parsed.name.empty() ? "" : " (" + parsed.name + ")";
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
  for (std::size_t i = 0; i < docs->size(); ++i) {
    const nlohmann::json& doc = (*docs)[i];
    if (doc.is_null()) continue;
    const std::string where = path + ": document " + std::to_string(i + 1);
    if (doc.is_object() && doc.value("kind", "") == "List" && doc.contains("items") &&
        doc["items"].is_array()) {
      for (std::size_t j = 0; j < doc["items"].size(); ++j)
        check_document(doc["items"][j], where + " item " + std::to_string(j + 1), out, counts);
      continue;
    }
    check_document(doc, where, out, counts);
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
  for (const auto& f : files) check_file(f, out, counts);
  out << counts.policies << (counts.policies == 1 ? " policy, " : " policies, ") << counts.problems
      << (counts.problems == 1 ? " problem\n" : " problems\n");
  return counts.problems == 0 ? 0 : 1;
}

}  // namespace controller
