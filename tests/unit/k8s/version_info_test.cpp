#include "k8s/version_info.h"

#include <gtest/gtest.h>

namespace {

TEST(VersionInfo, ParsesApiserverAnswer) {
  auto v = k8s::parse_version_info(R"({"major":"1","minor":"36","gitVersion":"v1.36.3"})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->major, 1);
  EXPECT_EQ(v->minor, 36);
  EXPECT_EQ(v->git_version, "v1.36.3");
}

TEST(VersionInfo, AcceptsPlusSuffixedMinor) {
  auto v = k8s::parse_version_info(R"({"major":"1","minor":"36+","gitVersion":"v1.36.3-gke"})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->minor, 36);
}

TEST(VersionInfo, RejectsGarbage) {
  EXPECT_FALSE(k8s::parse_version_info("not json").has_value());
  EXPECT_FALSE(k8s::parse_version_info(R"({"major":"x","minor":"1"})").has_value());
  EXPECT_FALSE(k8s::parse_version_info("[]").has_value());
}

}  // namespace
