#include "controller/validate_command.h"

#include <gtest/gtest.h>

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
  for (const auto& e : fs::directory_iterator(examples)) {
    args.push_back("-f");
    args.push_back(e.path().string());
  }
  ASSERT_GE(args.size(), 8U);
  const ValidateRun r = validate(args);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(args.size() / 2) + " policies, 0 problems"),
            std::string::npos)
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

}  // namespace
