#include "controller/run_command.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace controller {
namespace {

TEST(RunCommandTest, MoneyInStatusIsReadAsCents) {
  EXPECT_EQ(parse_cents("285.95"), 28595);
  EXPECT_EQ(parse_cents("12"), 1200);
  EXPECT_EQ(parse_cents("3.5"), 350);
  EXPECT_EQ(parse_cents("-3.05"), -305);
  EXPECT_EQ(parse_cents("0.07"), 7);
  for (const char* bad : {"", "-", ".5", "1.", "1.234", "1,5", "x", "1e3", "--1", "1.2x"}) {
    EXPECT_EQ(parse_cents(bad), std::nullopt) << bad;
  }
}

TEST(RunCommandTest, ABadFlagIsOneLineAndExitTwo) {
  std::ostringstream out, err;
  const std::string_view args[] = {"--no-such-flag"};
  EXPECT_EQ(run_run_command(args, out, err), 2);
  EXPECT_EQ(std::ranges::count(err.str(), '\n'), 1) << err.str();
}

}  // namespace
}  // namespace controller
