#include "controller/finops_render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "finops_fixtures.h"

namespace controller {
namespace {

using testing::seed_desk_recommended;

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

policies::LastRollback breach(std::string reason) {
  policies::LastRollback lb;
  lb.at = policies::Timestamp{std::chrono::seconds(1'795'000'000)};  // 2026-11-18T11:06:40Z
  lb.check = "trade-latency-p99";
  lb.observed = "0.142";
  lb.threshold = "0.100";
  lb.baseline = "0.050";
  lb.reason = std::move(reason);
  return lb;
}

FinOpsReport seed_report() {
  auto desk = seed_desk_recommended();
  desk[0].status.last_rollback = breach("canary breached trade-latency-p99");
  return build_finops_report(desk, {false, 1099});
}

TEST(FinOpsRenderTest, TextHasTheTableTotalsAndTheSeedsSummary) {
  const auto text = render_finops_text(seed_report());
  EXPECT_TRUE(has_line(text,
                       "WORKLOAD                        PHASE         REPLICAS   CURRENT/MO   "
                       "OPTIMIZED/MO   SAVINGS/MO   SAVINGS/YR   REALISED/MO   CPU UTIL        "
                       "MEMORY UTIL"))
      << text;
  EXPECT_TRUE(has_line(text,
                       "Deployment/trading-engine       Recommended   1          68.45        "
                       "15.30          53.15        637.80       0.00          7.5 %→60.0 %    "
                       "77.3 %→83.7 %"))
      << text;
  EXPECT_TRUE(has_line(text,
                       "TOTAL                                                    285.95       "
                       "79.05          206.90       2482.80      0.00          7.4 %→59.2 %    "
                       "85.4 %→80.0 %"))
      << text;
  EXPECT_TRUE(has_line(
      text, "Current:    285.95 USD/month  16 cores @ 7.4 % CPU, 15.3 GiB @ 85.4 % memory"));
  EXPECT_TRUE(has_line(
      text, "Optimized:   79.05 USD/month  2 cores @ 59.2 % CPU, 16.3 GiB @ 80.0 % memory"));
  EXPECT_TRUE(has_line(text, "Savings:    206.90 USD/month  2482.80 USD/year projected (72.4 %)"));
  EXPECT_TRUE(has_line(text, "Realised:     0.00 USD/month  0.00 USD/year"));
  EXPECT_TRUE(has_line(text, "Cost/trade: 0.0990 → 0.0274 USD at 0.001099 trades/s"));
  EXPECT_TRUE(has_line(text,
                       "  trading Deployment/trading-engine at 2026-11-18T11:06:40Z: check "
                       "trade-latency-p99, observed 0.142, threshold 0.100, baseline 0.050 — "
                       "canary breached trade-latency-p99"))
      << text;
}

TEST(FinOpsRenderTest, TextWithAllNamespacesNotesAndNothing) {
  auto desk = seed_desk_recommended();
  desk[1].status.monthly_cost.reset();
  auto r = build_finops_report(desk, {true, std::nullopt});
  const auto text = render_finops_text(r);
  EXPECT_TRUE(has_line(text,
                       "trading     Deployment/market-data          Recommended   1          -   "
                       "         -              -            -            -             6.3 %→50.0 "
                       "%    87.2 %→79.3 %"))
      << text;
  EXPECT_EQ(text.find("Cost/trade"), std::string::npos);
  EXPECT_TRUE(has_line(text,
                       "Note: trading/Deployment/market-data: no monthly cost yet; not in the "
                       "money totals"));
  EXPECT_TRUE(
      has_line(render_finops_text(build_finops_report({}, {})), "No Rightsizings to report."));
}

TEST(FinOpsRenderTest, MarkdownIsATableWithBoldTotalsAndEscapedCells) {
  auto desk = seed_desk_recommended();
  desk[0].status.last_rollback = breach("p99 | <script>");
  desk[1].status.monthly_cost.reset();
  const auto md = render_finops_markdown(build_finops_report(desk, {}));
  EXPECT_TRUE(has_line(md,
                       "> trading/Deployment/market-data: no monthly cost yet; not in the "
                       "money totals"))
      << md;
  EXPECT_TRUE(has_line(md, "# FinOps report"));
  EXPECT_TRUE(has_line(md,
                       "| WORKLOAD | PHASE | REPLICAS | CURRENT/MO | OPTIMIZED/MO | SAVINGS/MO | "
                       "SAVINGS/YR | REALISED/MO | CPU UTIL | MEMORY UTIL |"))
      << md;
  EXPECT_TRUE(has_line(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")) << md;
  EXPECT_TRUE(has_line(md,
                       "| **TOTAL** |  |  | **218.45** | **63.30** | **155.15** | **1861.80** | "
                       "**0.00** | **7.4 %→59.2 %** | **85.4 %→80.0 %** |"))
      << md;
  EXPECT_TRUE(has_line(md, "## Rollbacks (1)"));
  EXPECT_NE(md.find("— p99 \\| &lt;script>"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST(FinOpsRenderTest, JsonCarriesTotalsWorkloadsAndRollbacks) {
  const auto j = render_finops_json(seed_report());
  EXPECT_EQ(j["currency"], "USD");
  EXPECT_EQ(j["tradesPerSecond"], "0.001099");
  const auto& t = j["totals"];
  EXPECT_EQ(t["workloads"], 6);
  EXPECT_EQ(t["rollbacks"], 1);
  EXPECT_EQ(t["monthly"], (nlohmann::json{{"current", "285.95"},
                                          {"running", "285.95"},
                                          {"target", "79.05"},
                                          {"savings", "206.90"},
                                          {"realized", "0.00"}}));
  EXPECT_EQ(t["annual"]["current"], "3431.40");
  EXPECT_EQ(t["annual"]["target"], "948.60");
  EXPECT_EQ(t["annual"]["savings"], "2482.80");
  EXPECT_EQ(t["cpu"], (nlohmann::json{{"requestBefore", "16"},
                                      {"requestAfter", "2"},
                                      {"utilizationBefore", "7.4"},
                                      {"utilizationAfter", "59.2"}}));
  EXPECT_EQ(t["memory"]["requestBefore"], "15684Mi");
  EXPECT_EQ(t["memory"]["utilizationAfter"], "80.0");
  EXPECT_EQ(t["costPerTrade"], (nlohmann::json{{"current", "0.0990"}, {"target", "0.0274"}}));
  ASSERT_EQ(j["workloads"].size(), 6u);
  const auto& engine = j["workloads"][5];
  EXPECT_EQ(engine["workload"], "Deployment/trading-engine");
  EXPECT_EQ(engine["monthly"]["savings"], "53.15");
  EXPECT_EQ(engine["rollback"], (nlohmann::json{{"at", "2026-11-18T11:06:40Z"},
                                                {"check", "trade-latency-p99"},
                                                {"observed", "0.142"},
                                                {"threshold", "0.100"},
                                                {"baseline", "0.050"},
                                                {"reason", "canary breached trade-latency-p99"}}));
  EXPECT_EQ(
      engine["containers"][0]["usage"],
      (nlohmann::json{
          {"cpuP50", "300m"}, {"cpuP95", "450m"}, {"cpuPeak", "700m"}, {"memoryPeak", "2229Mi"}}));
  EXPECT_EQ(engine["containers"][0]["requestsBefore"],
            (nlohmann::json{{"cpu", "4"}, {"memory", "2884Mi"}}));
  EXPECT_FALSE(j["workloads"][0].contains("rollback"));
}

TEST(FinOpsRenderTest, JsonOfAWorkloadWithoutMoneyHasNoMoneyKeys) {
  auto desk = seed_desk_recommended();
  desk[0].status.monthly_cost.reset();
  desk[0].status.containers[0].usage.reset();
  const auto j = render_finops_json(build_finops_report(desk, {}));
  const auto& engine = j["workloads"][5];
  EXPECT_FALSE(engine.contains("monthly"));
  EXPECT_FALSE(engine["cpu"].contains("utilizationBefore"));
  EXPECT_EQ(j["notes"].size(), 1u);
  EXPECT_FALSE(j.contains("tradesPerSecond"));
  EXPECT_FALSE(j["totals"].contains("costPerTrade"));
}

struct FormatCase {
  std::int64_t value;
  std::string percent, micro, cores, rate;
};
class FinOpsFormatTest : public ::testing::TestWithParam<FormatCase> {};
TEST_P(FinOpsFormatTest, IntegerFormats) {
  const auto& c = GetParam();
  EXPECT_EQ(format_percent(c.value), c.percent);
  EXPECT_EQ(format_micro_units(c.value), c.micro);
  EXPECT_EQ(format_cores(c.value), c.cores);
  EXPECT_EQ(format_rate(c.value), c.rate);
}
INSTANTIATE_TEST_SUITE_P(
    Table, FinOpsFormatTest,
    ::testing::Values(FormatCase{0, "0.0 %", "0.0000", "0", "0"},
                      FormatCase{74, "7.4 %", "0.0001", "0.074", "0.000074"},
                      FormatCase{1184, "118.4 %", "0.0012", "1.184", "0.001184"},
                      FormatCase{16000, "1600.0 %", "0.0160", "16", "0.016"},
                      FormatCase{98'949, "9894.9 %", "0.0989", "98.949", "0.098949"},
                      FormatCase{98'950, "9895.0 %", "0.0990", "98.95", "0.09895"},
                      FormatCase{1'500'000, "150000.0 %", "1.5000", "1500", "1.5"},
                      FormatCase{-310, "-31.0 %", "-0.0003", "-0.31", "-0.00031"}));

TEST(FinOpsFormatTest, GibAndPercentAndEscaping) {
  EXPECT_EQ(format_gib(15684LL << 20), "15.3");
  EXPECT_EQ(format_gib(16742LL << 20), "16.3");               // 16.3496
  EXPECT_EQ(format_gib((16LL << 30) + (1LL << 29)), "16.5");  // half rounds up
  EXPECT_EQ(format_gib(0), "0.0");
  EXPECT_EQ(format_percent(std::nullopt), "-");
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

}  // namespace
}  // namespace controller

namespace controller {
namespace {

// The text of the element with id `id` (no nested elements), or "".
std::string by_id(const std::string& html, const std::string& id) {
  const auto open = html.find("id=\"" + id + "\">");
  if (open == std::string::npos) return "";
  const auto start = open + id.size() + 6;
  return html.substr(start, html.find('<', start) - start);
}

TEST(FinOpsHtmlTest, TotalsCarryIdsWithTheJsonsFigures) {
  const auto report = seed_report();
  const auto html = render_finops_html(report);
  const auto j = render_finops_json(report)["totals"];
  EXPECT_EQ(by_id(html, "total-current"), "285.95");
  EXPECT_EQ(by_id(html, "total-target"), "79.05");
  EXPECT_EQ(by_id(html, "total-savings"), "206.90");
  EXPECT_EQ(by_id(html, "total-savings-annual"), "2482.80");
  EXPECT_EQ(by_id(html, "total-realized"), "0.00");
  EXPECT_EQ(by_id(html, "total-realized-annual"), "0.00");
  EXPECT_EQ(by_id(html, "cost-per-trade-current"), "0.0990");
  EXPECT_EQ(by_id(html, "cost-per-trade-target"), "0.0274");
  EXPECT_NE(html.find("2482.80</span> /year · 72.4 %"), std::string::npos);
  EXPECT_EQ(by_id(html, "total-current"), j["monthly"]["current"]);
  EXPECT_EQ(by_id(html, "total-savings-annual"), j["annual"]["savings"]);
}

TEST(FinOpsHtmlTest, SelfContainedWithAChartPerWorkload) {
  const auto html = render_finops_html(seed_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  for (const char* external : {"<script", "src=", "href=", "@import", "url(", "<link"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  std::size_t figures = 0;
  for (std::size_t p = 0; (p = html.find("<figure>", p)) != std::string::npos; ++p) ++figures;
  EXPECT_EQ(figures, 7u);  // the cost chart and one per workload
  // The engine's CPU chart: p50 300m, request before 4 cores (the scale's
  // maximum: 110 + 330 px), after 500m (110 + 330 × 500 / 4000 = 151).
  EXPECT_NE(html.find("<text x=\"4\" y=\"21\">CPU p50</text><rect class=\"bar-p50\" x=\"110\" "
                      "y=\"10\" width=\"24\" height=\"15\"/><text x=\"138\" y=\"21\">0.3 cores"),
            std::string::npos);
  EXPECT_NE(html.find("<line class=\"req-before\" x1=\"440\""), std::string::npos);
  EXPECT_NE(html.find("<line class=\"req-after\" x1=\"151\""), std::string::npos);
  EXPECT_NE(html.find("<td class=\"name\">trade-latency-p99</td><td>0.142</td><td>0.100</td>"),
            std::string::npos);
}

TEST(FinOpsHtmlTest, NamesAndReasonsAreEscaped) {
  auto desk = seed_desk_recommended();
  desk[0].namespace_name = "ns<b>";
  desk[0].target->name = "x\"><img src=y onerror=alert(1)>";
  desk[0].status.last_rollback = breach("<script>alert('r')</script> & more");
  desk[0].status.monthly_cost->currency = "U<S";
  const auto html = render_finops_html(build_finops_report(desk, {true, std::nullopt}));
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("U<S"), std::string::npos);
  // Priced in another currency: in the table, not in the cost chart's bars.
  EXPECT_EQ(html.find("onerror=alert(1)&gt; now"), std::string::npos);
  EXPECT_NE(html.find(">market-data now</text>"), std::string::npos);
  EXPECT_NE(html.find("ns&lt;b&gt;/Deployment/x&quot;&gt;&lt;img src=y onerror=alert(1)&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;r&#39;)&lt;/script&gt; &amp; more"),
            std::string::npos);
  EXPECT_NE(html.find("priced in U&lt;S, not USD"), std::string::npos);
}

TEST(FinOpsHtmlTest, EmptyReportIsStillAPage) {
  const auto html = render_finops_html(build_finops_report({}, {}));
  EXPECT_NE(html.find("No Rightsizings to report."), std::string::npos);
  EXPECT_EQ(by_id(html, "total-current"), "0.00");
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace controller
