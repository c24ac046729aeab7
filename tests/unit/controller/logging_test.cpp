#include "controller/logging.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace controller {
namespace {

const auto kAt = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + std::chrono::hours(17) +
                 std::chrono::milliseconds(3'007);

TEST(LoggingTest, JsonLinesAreOneObjectEachWithTheMessageEscaped) {
  auto line = format_log_line(LogFormat::Json, kAt, "warn", "reconcile \"a\\b\"\nnext\x01");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2026-11-28T17:00:03.007Z");
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["msg"], "reconcile \"a\\b\"\nnext\x01");
}

TEST(LoggingTest, TextLinesAreReadable) {
  EXPECT_EQ(format_log_line(LogFormat::Text, kAt, "info", "caches synced; ready"),
            "2026-11-28T17:00:03.007Z info  caches synced; ready\n");
  EXPECT_EQ(format_log_line(LogFormat::Text, kAt, "error", "x"),
            "2026-11-28T17:00:03.007Z error x\n");
}

TEST(LoggingTest, ATokenInAMessageIsNeverWritten) {
  for (auto format : {LogFormat::Json, LogFormat::Text}) {
    auto line = format_log_line(
        format, kAt, "info", "request failed: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.secret");
    EXPECT_EQ(line.find("eyJhbGciOiJSUzI1NiJ9.secret"), std::string::npos) << line;
    EXPECT_NE(line.find("redacted"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace controller
