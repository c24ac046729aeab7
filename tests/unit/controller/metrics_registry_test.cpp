#include "controller/metrics_registry.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <thread>

namespace {

using controller::MetricsRegistry;

TEST(MetricsRegistry, RendersTextFormat004) {
  MetricsRegistry r;
  auto& reconciles = r.counter("rightsizer_reconciles_total", "Reconciles by result.", {"result"});
  auto& depth = r.gauge("rightsizer_workqueue_depth", "Keys waiting.");
  auto& duration = r.histogram("rightsizer_reconcile_duration_seconds", "Time per reconcile.",
                               {0.01, 0.1, 1}, {"kind"});
  reconciles.with({"success"}).inc();
  reconciles.with({"success"}).inc(2);
  reconciles.with({"error"}).inc();
  depth.with().set(7);
  auto& d = duration.with({"Deployment"});
  d.observe(0.005);
  d.observe(0.01);  // a bucket's bound is inclusive
  d.observe(0.5);
  d.observe(30);
  EXPECT_EQ(r.render(),
            "# HELP rightsizer_reconciles_total Reconciles by result.\n"
            "# TYPE rightsizer_reconciles_total counter\n"
            "rightsizer_reconciles_total{result=\"error\"} 1\n"
            "rightsizer_reconciles_total{result=\"success\"} 3\n"
            "# HELP rightsizer_workqueue_depth Keys waiting.\n"
            "# TYPE rightsizer_workqueue_depth gauge\n"
            "rightsizer_workqueue_depth 7\n"
            "# HELP rightsizer_reconcile_duration_seconds Time per reconcile.\n"
            "# TYPE rightsizer_reconcile_duration_seconds histogram\n"
            "rightsizer_reconcile_duration_seconds_bucket{kind=\"Deployment\",le=\"0.01\"} 2\n"
            "rightsizer_reconcile_duration_seconds_bucket{kind=\"Deployment\",le=\"0.1\"} 2\n"
            "rightsizer_reconcile_duration_seconds_bucket{kind=\"Deployment\",le=\"1\"} 3\n"
            "rightsizer_reconcile_duration_seconds_bucket{kind=\"Deployment\",le=\"+Inf\"} 4\n"
            "rightsizer_reconcile_duration_seconds_sum{kind=\"Deployment\"} 30.515\n"
            "rightsizer_reconcile_duration_seconds_count{kind=\"Deployment\"} 4\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry r;
  r.counter("c_total", "a \\ help\nline", {"path", "code"}).with({"a\"b\\c\nd", "200"}).inc();
  EXPECT_EQ(r.render(),
            "# HELP c_total a \\\\ help\\nline\n"
            "# TYPE c_total counter\n"
            "c_total{path=\"a\\\"b\\\\c\\nd\",code=\"200\"} 1\n");
  EXPECT_EQ(controller::escape_label_value("plain ünïcode"), "plain ünïcode");
}

TEST(MetricsRegistry, FormatsValuesAsPrometheusParsesThem) {
  EXPECT_EQ(controller::format_metric_value(0), "0");
  EXPECT_EQ(controller::format_metric_value(-2.5), "-2.5");
  EXPECT_EQ(controller::format_metric_value(0.1), "0.1");
  EXPECT_EQ(controller::format_metric_value(123456789), "123456789");
  EXPECT_EQ(controller::format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(controller::format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(controller::format_metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsRegistry, GaugesGoBothWays) {
  MetricsRegistry r;
  auto& g = r.gauge("g", "h", {"ns"}).with({"a"});
  g.add(5);
  g.add(-7);
  EXPECT_EQ(g.value(), -2);
  g.set(1.5);
  EXPECT_EQ(g.value(), 1.5);
}

TEST(MetricsRegistry, EmptyFamilyRendersOnlyItsHeader) {
  MetricsRegistry r;
  (void)r.counter("unused_total", "Never incremented.", {"x"});
  EXPECT_EQ(r.render(), "# HELP unused_total Never incremented.\n# TYPE unused_total counter\n");
}

TEST(MetricsRegistry, RefusesBadRegistrations) {
  MetricsRegistry r;
  (void)r.counter("ok_total", "h");
  EXPECT_THROW((void)r.counter("ok_total", "again"), std::invalid_argument);
  EXPECT_THROW((void)r.gauge("ok_total", "other type"), std::invalid_argument);
  EXPECT_THROW((void)r.counter("1bad", "h"), std::invalid_argument);
  EXPECT_THROW((void)r.counter("bad-name", "h"), std::invalid_argument);
  EXPECT_THROW((void)r.counter("c", "h", {"bad:label"}), std::invalid_argument);
  EXPECT_THROW((void)r.counter("c2", "h", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW((void)r.histogram("h1", "h", {1, 1}), std::invalid_argument);
  EXPECT_THROW((void)r.histogram("h2", "h", {2, 1}), std::invalid_argument);
  EXPECT_THROW((void)r.histogram("h3", "h", {}), std::invalid_argument);
  EXPECT_THROW((void)r.histogram("h4", "h", {1}, {"le"}), std::invalid_argument);
  EXPECT_NO_THROW((void)r.gauge("ns:metric", "colons are allowed in names"));
  auto& f = r.counter("labelled_total", "h", {"a", "b"});
  EXPECT_THROW((void)f.with({"only-one"}), std::invalid_argument);
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry r;
  auto& c = r.counter("n_total", "h", {"t"});
  auto& h = r.histogram("lat", "h", {1});
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 10000; ++i) {
          c.with({"x"}).inc();
          h.with().observe(0.5);
        }
      });
  }
  EXPECT_EQ(c.with({"x"}).value(), 40000);
  EXPECT_EQ(h.with().snapshot().count, 40000U);
}

}  // namespace
