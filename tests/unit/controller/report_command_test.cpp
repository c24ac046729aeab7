#include "controller/report_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controller/cli.h"
#include "finops_fixtures.h"

namespace controller {
namespace {

struct Run {
  int code;
  std::string out, err;
};

Run report(std::vector<std::string> args) {
  args.insert(args.begin(), "report");
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  const int code = run_cli(views, out, err);
  return {code, out.str(), err.str()};
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::path(::testing::TempDir()) / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(ReportCommandTest, FromAFileOfTheSeedDeskTheJsonTotalsAreTheAnalysis) {
  auto desk = testing::seed_desk_recommended();
  desk.push_back(testing::recommended(testing::seed_desk()[0], "other"));
  const auto file = write_temp("desk.json", testing::as_list(desk).dump());
  const auto all = report({"--from-file", file, "-o", "json", "--trades-per-second", "0.001099"});
  ASSERT_EQ(all.code, 0) << all.err;
  const auto j = nlohmann::json::parse(all.out);
  EXPECT_EQ(j["totals"]["workloads"], 7);
  EXPECT_EQ(j["totals"]["monthly"]["current"], "354.40");  // 285.95 + 68.45
  const auto one = report({"--from-file", file, "-n", "trading", "-o", "json"});
  ASSERT_EQ(one.code, 0) << one.err;
  const auto t = nlohmann::json::parse(one.out)["totals"];
  EXPECT_EQ(t["workloads"], 6);
  EXPECT_EQ(t["monthly"]["current"], "285.95");
  EXPECT_EQ(t["monthly"]["target"], "79.05");
  EXPECT_EQ(t["annual"]["savings"], "2482.80");
}

TEST(ReportCommandTest, WritesTheChosenFormatToTheOutputFile) {
  const auto file =
      write_temp("desk2.json", testing::as_list(testing::seed_desk_recommended()).dump());
  const auto html = std::filesystem::path(::testing::TempDir()) / "finops.html";
  const auto run = report({"--from-file", file, "-o", "html", "--output", html.string()});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<span id=\"total-target\">79.05</span>"), std::string::npos);
  const auto text = report({"--from-file", file});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("Optimized:   79.05 USD/month"), std::string::npos) << text.out;
  const auto unwritable = report({"--from-file", file, "--output", "/nonexistent-dir/x.html"});
  EXPECT_EQ(unwritable.code, 1);
  EXPECT_NE(unwritable.err.find("/nonexistent-dir/x.html: cannot write"), std::string::npos);
}

TEST(ReportCommandTest, ReadsYamlDocumentsAndRefusesOtherKinds) {
  const auto one = testing::as_list({testing::recommended(testing::seed_desk()[1])})["items"][0];
  auto items = rightsizings_from_text("---\n" + one.dump() + "\n---\n" + one.dump() + "\n");
  ASSERT_TRUE(items) << items.error();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].target->name, "market-data");
  EXPECT_EQ((*items)[0].status.monthly_cost->current, "67.50");
  auto policy = rightsizings_from_text("kind: RightsizePolicy\n");
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().find("kind \"RightsizePolicy\", not a Rightsizing"), std::string::npos);
  EXPECT_FALSE(rightsizings_from_text("items: [1]\n"));
  EXPECT_FALSE(rightsizings_from_text("{"));
  EXPECT_TRUE(rightsizings_from_text("{\"kind\": \"List\", \"items\": []}")->empty());
}

TEST(ReportCommandTest, AMissingOrHugeFileIsAnErrorNamingIt) {
  const auto missing = report({"--from-file", "/nonexistent.json"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("/nonexistent.json"), std::string::npos) << missing.err;
  const auto huge = write_temp("huge.json", std::string((2 << 20) + 1, ' '));
  const auto refused = report({"--from-file", huge});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("larger than 2 MiB"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace controller
