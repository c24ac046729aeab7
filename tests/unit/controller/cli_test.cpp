#include "controller/cli.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

namespace {

TEST(Cli, VersionExitsZero) {
  std::array<std::string_view, 1> args{"version"};
  EXPECT_EQ(controller::run_cli(args), 0);
}

TEST(Cli, UnknownCommandIsUsageError) {
  std::array<std::string_view, 1> args{"frobnicate"};
  EXPECT_EQ(controller::run_cli(args), 2);
}

}  // namespace
