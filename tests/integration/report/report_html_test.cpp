// `rightsizer report -o html` opened in headless Chromium: the page renders,
// and the totals Chromium's DOM holds are the JSON report's. The screenshot
// (report.png in the build directory) is the artifact a reviewer looks at.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "finops_fixtures.h"

namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(REPORT_ARTIFACT_DIR) / "report-html-test";

std::string quoted(const std::string& s) {
  return "'" + s + "'";  // paths of the build tree: no single quotes in them
}

// Runs `command` through the shell, at most 120 s; its stdout into `out`.
int run(const std::string& command, const fs::path& out) {
  const std::string line =
      "timeout 120 " + command + " >" + quoted(out) + " 2>>" + quoted(kDir / "stderr.log");
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text of the element with id `id` in Chromium's serialisation.
std::string by_id(const std::string& dom, const std::string& id) {
  const std::string open = "id=\"" + id + "\">";
  const auto at = dom.find(open);
  if (at == std::string::npos) return "<" + id + " missing>";
  const auto start = at + open.size();
  return dom.substr(start, dom.find('<', start) - start);
}

std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/lib/chromium/chromium"}) {
    if (fs::exists(p)) return p;
  }
  return "";
}

class ReportHtmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(kDir);
    fs::create_directories(kDir);
    // The analysis's desk, the trading engine rolled back on its latency SLO.
    auto desk = controller::testing::seed_desk_recommended();
    policies::LastRollback lb;
    lb.at = policies::Timestamp{std::chrono::seconds(1'795'000'000)};
    lb.check = "trade-latency-p99";
    lb.observed = "0.142";
    lb.threshold = "0.100";
    lb.reason = "p99 latency 142 ms > 100 ms on the canary";
    desk.front().status.last_rollback = lb;
    std::ofstream(kDir / "rightsizings.json") << controller::testing::as_list(desk).dump();
  }
};

TEST_F(ReportHtmlTest, ChromiumRendersThePageAndItsTotalsEqualTheJsons) {
  const std::string browser = chromium();
  ASSERT_FALSE(browser.empty())
      << "Debian's chromium is not installed (hack/install-deps installs it); this test "
         "needs it to render the HTML report";
  const std::string report = std::string(RIGHTSIZER_BIN) + " report --from-file " +
                             quoted(kDir / "rightsizings.json") + " --trades-per-second 0.001099";
  ASSERT_EQ(run(report + " -o json", kDir / "report.json"), 0) << slurp(kDir / "stderr.log");
  ASSERT_EQ(run(report + " -o html --output " + quoted(kDir / "report.html"), kDir / "out.txt"), 0)
      << slurp(kDir / "stderr.log");

  const std::string url = "file://" + (kDir / "report.html").string();
  const std::string flags =
      " --headless --disable-gpu --no-sandbox --user-data-dir=" + quoted(kDir / "profile") + " ";
  ASSERT_EQ(run(browser + flags + "--dump-dom " + quoted(url), kDir / "dom.html"), 0)
      << slurp(kDir / "stderr.log");
  const fs::path png = fs::path(REPORT_ARTIFACT_DIR) / "report.png";
  fs::remove(png);
  ASSERT_EQ(run(browser + flags + "--window-size=1400,2400 --screenshot=" + quoted(png) + " " +
                    quoted(url),
                kDir / "screenshot.txt"),
            0)
      << slurp(kDir / "stderr.log");

  const auto dom = slurp(kDir / "dom.html");
  const auto totals = nlohmann::json::parse(slurp(kDir / "report.json"))["totals"];
  EXPECT_EQ(by_id(dom, "total-current"), totals["monthly"]["current"]);
  EXPECT_EQ(by_id(dom, "total-target"), totals["monthly"]["target"]);
  EXPECT_EQ(by_id(dom, "total-savings"), totals["monthly"]["savings"]);
  EXPECT_EQ(by_id(dom, "total-savings-annual"), totals["annual"]["savings"]);
  EXPECT_EQ(by_id(dom, "total-realized"), totals["monthly"]["realized"]);
  EXPECT_EQ(by_id(dom, "cost-per-trade-current"), totals["costPerTrade"]["current"]);
  EXPECT_EQ(by_id(dom, "cost-per-trade-target"), totals["costPerTrade"]["target"]);
  // And they are the analysis's figures.
  EXPECT_EQ(by_id(dom, "total-current"), "285.95");
  EXPECT_EQ(by_id(dom, "total-target"), "79.05");
  // Chromium parsed the inline SVG charts as SVG (one per workload's CPU and
  // memory, and the cost chart), and the rollback's reason is in the page.
  std::size_t svgs = 0;
  for (std::size_t p = 0; (p = dom.find("<svg ", p)) != std::string::npos; ++p) ++svgs;
  EXPECT_EQ(svgs, 13u);
  EXPECT_NE(dom.find("p99 latency 142 ms &gt; 100 ms on the canary"), std::string::npos);

  const auto image = slurp(png);
  ASSERT_GT(image.size(), 8u) << "no screenshot at " << png;
  EXPECT_EQ(image.substr(1, 3), "PNG");
}

}  // namespace
