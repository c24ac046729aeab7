#include "controller/validate_command.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct ValidateRun {
  int code;
  std::string out;
  std::string err;
};

ValidateRun validate(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  const int code = controller::run_validate(views, out, err);
  return {code, out.str(), err.str()};
}

class TempFiles : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rightsizer-validate-" +
            std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  fs::path dir_;
};

constexpr const char* kValid =
    "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\nmetadata: {name: ok}\nspec: {}\n";

TEST(Validate, EveryExampleIsValid) {
  const fs::path examples = fs::path(RIGHTSIZER_SOURCE_DIR) / "policies" / "examples";
  std::vector<std::string> args;
  std::size_t policies = 0;  // a file may hold several (demo.yaml: two)
  for (const auto& e : fs::directory_iterator(examples)) {
    args.push_back("-f");
    args.push_back(e.path().string());
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);)
      if (line == "kind: RightsizePolicy") ++policies;
  }
  ASSERT_GE(args.size(), 8U);
  ASSERT_GE(policies, args.size() / 2);
  const ValidateRun r = validate(args);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(policies) + " policies, 0 problems"), std::string::npos)
      << r.out;
}

TEST_F(TempFiles, ReportsEveryProblemWithFileDocumentAndPath) {
  const std::string f = write("p.yaml", std::string(kValid) +
                                            "---\n"
                                            "apiVersion: rightsizer.io/v1alpha1\n"
                                            "kind: RightsizePolicy\n"
                                            "metadata: {name: bad}\n"
                                            "spec:\n"
                                            "  cpu: {min: \"4\", max: \"2\", percentile: 0}\n"
                                            "  mode: Yolo\n");
  const ValidateRun r = validate({"-f", f});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(f + ": document 2 (bad): spec.cpu.min: must not exceed max"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(f + ": document 2 (bad): spec.cpu.percentile:"), std::string::npos);
  EXPECT_NE(r.out.find(f + ": document 2 (bad): spec.mode: unsupported value \"Yolo\""),
            std::string::npos);
  EXPECT_EQ(r.out.find("document 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 policies, 3 problems"), std::string::npos) << r.out;
}

TEST_F(TempFiles, JsonListsAndOtherKinds) {
  const std::string json = write("p.json", R"({"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "rightsizer.io/v1alpha1", "kind": "RightsizePolicy", "metadata": {"name": "a"},
       "spec": {"limits": "Sometimes"}},
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}]})");
  const ValidateRun r = validate({"--filename", json});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(json + ": document 1 item 1 (a): spec.limits:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("item 2: skipped Deployment"), std::string::npos) << r.out;
}

TEST_F(TempFiles, SeveralFilesAllValid) {
  const ValidateRun r = validate({"-f", write("a.yaml", kValid), write("b.yml", kValid)});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2 policies, 0 problems"), std::string::npos) << r.out;
}

TEST_F(TempFiles, UnreadableOrBrokenFilesAreProblems) {
  EXPECT_EQ(validate({"-f", (dir_ / "missing.yaml").string()}).code, 1);
  const ValidateRun yaml = validate({"-f", write("broken.yaml", "a: [1,\n")});
  EXPECT_EQ(yaml.code, 1);
  EXPECT_NE(yaml.out.find("YAML syntax error at line"), std::string::npos) << yaml.out;
  EXPECT_EQ(validate({"-f", write("broken.json", "{")}).code, 1);
  const ValidateRun scalar = validate({"-f", write("scalar.yaml", "just text\n")});
  EXPECT_EQ(scalar.code, 1) << scalar.out;
}

TEST(Validate, UsageErrors) {
  EXPECT_EQ(validate({}).code, 2);
  EXPECT_EQ(validate({"-f"}).code, 2);
  EXPECT_EQ(validate({"--frobnicate"}).code, 2);
  EXPECT_EQ(validate({"--help"}).code, 0);
}

// Hostile or mistaken files, tried as a new user would (issue 10, item 13).
TEST_F(TempFiles, BillionLaughsFailsFastWithAClearError) {
  std::string laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    const char prev = static_cast<char>(c - 1);
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) laughs += std::string(i ? ", *" : "*") + prev;
    laughs += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const ValidateRun r = validate({"-f", write("laughs.yaml", laughs)});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("laughs.yaml: YAML refused: YAML expands to more than"), std::string::npos)
      << r.out;
  EXPECT_LT(took, std::chrono::seconds(5));  // a hang guard; it takes milliseconds
}

TEST_F(TempFiles, DirectoryReadsItsYamlYmlAndJsonFiles) {
  write("a.yaml", kValid);
  write("b.yml", kValid);
  write("c.json", R"({"apiVersion": "rightsizer.io/v1alpha1", "kind": "RightsizePolicy", )"
                  R"("metadata": {"name": "c"}, "spec": {"cpu": {"percentile": 0}}})");
  write("notes.txt", "not a policy");
  const ValidateRun r = validate({"-f", dir_.string()});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("c.json: document 1 (c): spec.cpu.percentile"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 policies, 1 problem"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("notes.txt"), std::string::npos) << r.out;
}

TEST_F(TempFiles, DirectoryWithoutPoliciesIsAProblem) {
  write("notes.txt", "not a policy");
  const ValidateRun r = validate({"-f", dir_.string()});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("no .yaml, .yml or .json files"), std::string::npos) << r.out;
}

TEST_F(TempFiles, EmptyFilesAreProblems) {
  for (const char* text : {"", "# only a comment\n", "---\n---\n"}) {
    const ValidateRun r = validate({"-f", write("empty.yaml", text)});
    EXPECT_EQ(r.code, 1) << "[" << text << "] " << r.out;
    EXPECT_NE(r.out.find("empty.yaml: no objects in the file"), std::string::npos) << r.out;
  }
  // A file of other kinds only is not empty: they are skipped, as before.
  const ValidateRun other =
      validate({"-f", write("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n")});
  EXPECT_EQ(other.code, 0) << other.out;
}

TEST_F(TempFiles, LargeFilesAreRefusedBeforeReading) {
  const std::string doc = std::string(kValid) + "---\n";
  std::string text;
  while (text.size() <= (std::size_t{2} << 20)) text += doc;
  const ValidateRun r = validate({"-f", write("big.yaml", text)});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("big.yaml: larger than 2 MiB; refused"), std::string::npos) << r.out;
}

TEST_F(TempFiles, DeepJsonIsRefused) {
  const ValidateRun r = validate(
      {"-f", write("deep.json", std::string(1'000'000, '[') + std::string(1'000'000, ']'))});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("JSON nested deeper than 100 levels"), std::string::npos) << r.out;
  // Brackets inside strings, also after escaped quotes, do not count.
  const std::string name = "\"a\\\"" + std::string(200, '[') + "\"";
  const ValidateRun s =
      validate({"-f", write("strings.json", R"({"apiVersion": "rightsizer.io/v1alpha1", "kind": )"
                                            R"("RightsizePolicy", "metadata": {"name": )" +
                                                name + R"(}, "spec": {}})")});
  EXPECT_EQ(s.out.find("nested deeper"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("metadata.name: must be a lower-case DNS subdomain"), std::string::npos)
      << s.out;
}

TEST_F(TempFiles, NamesThatAreNotDnsSubdomainsAreProblems) {
  const ValidateRun r =
      validate({"-f", write("name.yaml",
                            "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\n"
                            "metadata: {name: \"Caf\xe9\"}\nspec: {}\n")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("(Caf\\xe9): metadata.name: must be a lower-case DNS subdomain"),
            std::string::npos)
      << r.out;
}

}  // namespace
