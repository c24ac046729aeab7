#include "controller/recommend_options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using controller::CommandEnv;
using controller::OutputFormat;
using controller::ParseStop;
using controller::RecommendOptions;
using namespace std::chrono_literals;

controller::Parsed<RecommendOptions> parse(std::vector<std::string> args, CommandEnv env = {}) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return controller::parse_recommend_options(views, env);
}

TEST(RecommendOptions, Defaults) {
  const auto p = parse({});
  ASSERT_TRUE(std::holds_alternative<RecommendOptions>(p)) << std::get<ParseStop>(p).text;
  const auto& o = std::get<RecommendOptions>(p);
  EXPECT_EQ(o.namespace_name, "");
  EXPECT_FALSE(o.all_namespaces);
  EXPECT_EQ(o.output, OutputFormat::Table);
  EXPECT_EQ(o.sample, 0s);
  EXPECT_EQ(o.metrics_interval, 15s);
  EXPECT_TRUE(o.cluster.in_cluster());
}

TEST(RecommendOptions, ShortAndLongFlags) {
  const auto p = parse({"-n", "trading", "-o", "json", "--sample", "2m", "--metrics-interval",
                        "10s", "--kubeconfig", "/k", "--log-format", "text"});
  ASSERT_TRUE(std::holds_alternative<RecommendOptions>(p)) << std::get<ParseStop>(p).text;
  const auto& o = std::get<RecommendOptions>(p);
  EXPECT_EQ(o.namespace_name, "trading");
  EXPECT_EQ(o.output, OutputFormat::Json);
  EXPECT_EQ(o.sample, 2min);
  EXPECT_EQ(o.metrics_interval, 10s);
  EXPECT_EQ(o.cluster.kubeconfig, "/k");
  EXPECT_EQ(o.log.format, controller::LogFormat::Text);
  const auto all = parse({"-A", "--output=table"});
  ASSERT_TRUE(std::holds_alternative<RecommendOptions>(all));
  EXPECT_TRUE(std::get<RecommendOptions>(all).all_namespaces);
}

TEST(RecommendOptions, Help) {
  const auto p = parse({"-h"});
  ASSERT_TRUE(std::holds_alternative<ParseStop>(p));
  EXPECT_EQ(std::get<ParseStop>(p).exit_code, 0);
  EXPECT_NE(std::get<ParseStop>(p).text.find("--sample"), std::string::npos);
}

struct BadRecommend {
  std::vector<std::string> args;
  std::string expected;
};

class RecommendOptionsRejects : public testing::TestWithParam<BadRecommend> {};

TEST_P(RecommendOptionsRejects, WithOneLine) {
  const auto p = parse(GetParam().args);
  ASSERT_TRUE(std::holds_alternative<ParseStop>(p));
  const ParseStop& s = std::get<ParseStop>(p);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_EQ(std::count(s.text.begin(), s.text.end(), '\n'), 1) << s.text;
  EXPECT_EQ(s.text.rfind("rightsizer recommend: ", 0), 0U) << s.text;
  EXPECT_NE(s.text.find(GetParam().expected), std::string::npos) << s.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RecommendOptionsRejects,
    testing::Values(BadRecommend{{"-n", "a", "-A"}, "excludes"},
                    BadRecommend{{"-n", "Trading"}, "--namespace \"Trading\""},
                    BadRecommend{{"-o", "yaml"}, "--output \"yaml\""},
                    BadRecommend{{"--sample", "5s"}, "at least --metrics-interval"},
                    BadRecommend{{"--sample", "2h"}, "between 0s and 1h"},
                    BadRecommend{{"--sample", "later"}, "not a duration"},
                    BadRecommend{{"--metrics-interval", "1s"}, "between 5s and 1h"},
                    BadRecommend{{"--leader-elect"}, "--leader-elect"}));

}  // namespace
