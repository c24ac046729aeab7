#include "controller/report_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using controller::ParseStop;
using controller::ReportFormat;
using controller::ReportOptions;

controller::Parsed<ReportOptions> parse(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return controller::parse_report_options(views, {});
}

TEST(ReportOptions, Defaults) {
  const auto p = parse({});
  ASSERT_TRUE(std::holds_alternative<ReportOptions>(p)) << std::get<ParseStop>(p).text;
  const auto& o = std::get<ReportOptions>(p);
  EXPECT_EQ(o.format, ReportFormat::Text);
  EXPECT_EQ(o.output_file, "");
  EXPECT_EQ(o.trades_per_second_micro, std::nullopt);
  EXPECT_EQ(o.from_file, "");
  EXPECT_FALSE(o.all_namespaces);
  EXPECT_TRUE(o.cluster.in_cluster());
}

TEST(ReportOptions, EveryFlag) {
  const auto p = parse({"-n", "trading", "-o", "html", "--output", "r.html", "--trades-per-second",
                        "0.001099", "--from-file", "rsz.json", "--kubeconfig", "/k"});
  ASSERT_TRUE(std::holds_alternative<ReportOptions>(p)) << std::get<ParseStop>(p).text;
  const auto& o = std::get<ReportOptions>(p);
  EXPECT_EQ(o.namespace_name, "trading");
  EXPECT_EQ(o.format, ReportFormat::Html);
  EXPECT_EQ(o.output_file, "r.html");
  EXPECT_EQ(o.trades_per_second_micro, 1099);
  EXPECT_EQ(o.from_file, "rsz.json");
  EXPECT_EQ(o.cluster.kubeconfig, "/k");
  for (const auto& [flag, format] :
       std::vector<std::pair<std::string, ReportFormat>>{{"text", ReportFormat::Text},
                                                         {"markdown", ReportFormat::Markdown},
                                                         {"md", ReportFormat::Markdown},
                                                         {"json", ReportFormat::Json}}) {
    const auto f = parse({"-A", "--format", flag});
    ASSERT_TRUE(std::holds_alternative<ReportOptions>(f)) << flag;
    EXPECT_EQ(std::get<ReportOptions>(f).format, format) << flag;
    EXPECT_TRUE(std::get<ReportOptions>(f).all_namespaces);
  }
}

struct BadReport {
  std::vector<std::string> args;
  std::string expected;
};
class ReportOptionsBad : public ::testing::TestWithParam<BadReport> {};
TEST_P(ReportOptionsBad, IsAUsageErrorNamingTheFlag) {
  const auto p = parse(GetParam().args);
  ASSERT_TRUE(std::holds_alternative<ParseStop>(p));
  const auto& stop = std::get<ParseStop>(p);
  EXPECT_EQ(stop.exit_code, 2);
  EXPECT_NE(stop.text.find(GetParam().expected), std::string::npos) << stop.text;
}
INSTANTIATE_TEST_SUITE_P(
    Table, ReportOptionsBad,
    ::testing::Values(BadReport{{"-o", "pdf"}, "-o \"pdf\": must be text, markdown, json or html"},
                      BadReport{{"--output", "json"}, "--output \"json\": names the file"},
                      BadReport{{"--trades-per-second", "0"}, "--trades-per-second \"0\""},
                      BadReport{{"--trades-per-second", "-1"}, "--trades-per-second"},
                      BadReport{{"--trades-per-second", "0.0000001"}, "at most 6 places"},
                      BadReport{{"-n", "Trading"}, "--namespace \"Trading\""},
                      BadReport{{"-n", "a", "-A"}, "excludes"}));

TEST(ReportOptions, HelpShowsTheExamples) {
  const auto p = parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<ParseStop>(p));
  EXPECT_EQ(std::get<ParseStop>(p).exit_code, 0);
  EXPECT_NE(std::get<ParseStop>(p).text.find("rightsizer report -A -o html --output finops.html"),
            std::string::npos);
}

}  // namespace
