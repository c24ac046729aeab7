// The /metrics reader the e2e tests count writes with.
#include "support/metrics_text.h"

#include <gtest/gtest.h>

namespace {

constexpr const char* kText =
    "# HELP rightsizer_api_requests_total API requests by verb and code.\n"
    "# TYPE rightsizer_api_requests_total counter\n"
    "rightsizer_api_requests_total{verb=\"GET\",code=\"200\"} 12\n"
    "rightsizer_api_requests_total{verb=\"LIST\",code=\"200\"} 7\n"
    "rightsizer_api_requests_total{verb=\"POST\",code=\"201\"} 3\n"
    "rightsizer_api_requests_total{verb=\"PUT\",code=\"200\"} 5\n"
    "rightsizer_api_requests_total{verb=\"PATCH\",code=\"409\"} 1\n"
    "rightsizer_api_requests_total{verb=\"DELETE\",code=\"error\"} 2\n"
    "rightsizer_leader 1\n"
    "rightsizer_reconcile_duration_seconds_bucket{le=\"+Inf\"} 4\n"
    "odd{msg=\"a \\\"quoted\\\", value\",x=\"1\"} 2.5e1\n"
    "# 42 a comment that starts with a number\n"
    "multi{text=\"one\\ntwo\"} 1\n"
    "broken{verb=\"GET\" 3\n"
    "unterminated{verb=\"GET} 3\n"
    "novalue{a=\"b\"} x\n";

TEST(MetricsText, ParsesNamesLabelsAndValues) {
  const auto samples = e2e::parse_metrics(kText);
  ASSERT_EQ(samples.size(), 10u);
  EXPECT_EQ(samples[0].name, "rightsizer_api_requests_total");
  EXPECT_EQ(samples[0].labels.at("verb"), "GET");
  EXPECT_EQ(samples[0].labels.at("code"), "200");
  EXPECT_EQ(samples[0].value, 12);
  EXPECT_EQ(samples[6].name, "rightsizer_leader");
  EXPECT_TRUE(samples[6].labels.empty());
  EXPECT_EQ(samples[7].labels.at("le"), "+Inf");
  EXPECT_EQ(samples[8].labels.at("msg"), "a \"quoted\", value");
  EXPECT_EQ(samples[8].labels.at("x"), "1");
  EXPECT_EQ(samples[8].value, 25);
  EXPECT_EQ(samples[9].labels.at("text"), "one\ntwo");
}

TEST(MetricsText, SumsByLabelsAndCountsWrites) {
  const auto samples = e2e::parse_metrics(kText);
  EXPECT_EQ(e2e::metric_sum(samples, "rightsizer_api_requests_total"), 30);
  EXPECT_EQ(e2e::metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "LIST"}}), 7);
  EXPECT_EQ(
      e2e::metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "PUT"}, {"code", "200"}}),
      5);
  EXPECT_EQ(
      e2e::metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "PUT"}, {"code", "409"}}),
      0);
  EXPECT_EQ(e2e::metric_sum(samples, "missing"), 0);
  EXPECT_EQ(e2e::write_requests(samples), 3 + 5 + 1 + 2);
  EXPECT_TRUE(e2e::has_metric(samples, "rightsizer_leader"));
  EXPECT_FALSE(e2e::has_metric(samples, "rightsizer_leader_x"));
  EXPECT_FALSE(e2e::has_metric(samples, "rightsizer_lead"));
}

TEST(MetricsText, AReaderOnlyWritesNothing) {
  const auto samples = e2e::parse_metrics(
      "rightsizer_api_requests_total{verb=\"GET\",code=\"200\"} 3\n"
      "rightsizer_api_requests_total{verb=\"WATCH\",code=\"200\"} 9\n");
  EXPECT_EQ(e2e::write_requests(samples), 0);
  EXPECT_TRUE(e2e::parse_metrics("").empty());
}

}  // namespace
