#include "controller/cli.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun cli(std::vector<std::string_view> args) {
  std::ostringstream out, err;
  const int code = controller::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(Cli, VersionPrintsTheVersion) {
  const CliRun r = cli({"version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("rightsizer 0.", 0), 0U) << r.out;
  EXPECT_EQ(cli({"--version"}).out, r.out);
  EXPECT_EQ(cli({"version", "extra"}).code, 2);
}

TEST(Cli, UnknownCommandIsOneLineUsageError) {
  const CliRun r = cli({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Cli, NoCommandIsUsageErrorWithTheCommandList) {
  const CliRun r = cli({});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("Commands:"), std::string::npos);
}

TEST(Cli, HelpListsEveryRegisteredCommand) {
  const CliRun r = cli({"--help"});
  EXPECT_EQ(r.code, 0);
  std::set<std::string_view> names;
  for (const auto& c : controller::commands()) {
    EXPECT_NE(r.out.find("  " + std::string(c.name) + " "), std::string::npos) << c.name;
    EXPECT_TRUE(names.insert(c.name).second) << "registered twice: " << c.name;
  }
  for (const char* expected : {"run", "recommend", "report", "validate", "version"})
    EXPECT_TRUE(names.contains(expected)) << expected;
}

TEST(Cli, DispatchesArgumentsAfterTheName) {
  // validate without files is its own usage error; with --help it succeeds.
  EXPECT_EQ(cli({"validate"}).code, 2);
  EXPECT_EQ(cli({"validate", "--help"}).code, 0);
  const CliRun help = cli({"run", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--metrics-bind-address"), std::string::npos) << help.out;
  EXPECT_NE(cli({"recommend", "--help"}).out.find("--all-namespaces"), std::string::npos);
}

TEST(Cli, RunAndRecommendFailOnAnUnreadableKubeconfigAfterValidOptions) {
  // Valid options, then the cluster cannot be reached: exit 1 (not a usage
  // error), one line naming the file.
  const CliRun run = cli({"run", "--kubeconfig", "/nonexistent", "--leader-elect=false"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("/nonexistent"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_EQ(cli({"recommend", "-A", "--kubeconfig", "/x"}).code, 1);
  const CliRun report = cli({"report", "-A", "--kubeconfig", "/nonexistent"});
  EXPECT_EQ(report.code, 1);
  EXPECT_NE(report.err.find("/nonexistent"), std::string::npos) << report.err;
  EXPECT_EQ(cli({"report", "-o", "pdf"}).code, 2);
  const CliRun bad = cli({"run", "--metrics-interval", "soon"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

}  // namespace
