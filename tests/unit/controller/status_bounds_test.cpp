// The Rightsizing status within the CRD's maxLength / maxItems.
#include "controller/status_bounds.h"

#include <gtest/gtest.h>

#include <string>

namespace controller {
namespace {

TEST(BoundedText, TextThatFitsIsUnchanged) {
  EXPECT_EQ(bounded_text("short", 5), "short");
  EXPECT_EQ(bounded_text("", 0), "");
}

TEST(BoundedText, CutsAtACharacterBoundaryAndEndsInAnEllipsis) {
  EXPECT_EQ(bounded_text("abcdefgh", 6), "abc…");
  // "é" is two bytes: a cut inside it backs up to its first byte.
  const std::string accented = "ab" + std::string("\xC3\xA9") + "cdef";
  EXPECT_EQ(bounded_text(accented, 6), "ab…");
  EXPECT_EQ(bounded_text("abcdef", 2), "");
}

TEST(BoundToSchema, EveryTextAndListIsWithinTheCrdLimits) {
  policies::RightsizingStatus s;
  s.summary = policies::RightsizingSummary{std::string(100, 'c'), "1Gi", std::string(300, 'e')};
  policies::ContainerStatus c;
  c.name = "engine";
  c.step = policies::StatusResources{policies::ResourceList{std::string(70, '1'), "1Gi"}, {}};
  s.containers.push_back(c);
  policies::CanaryStatus canary;
  for (int i = 0; i < 1500; ++i) {
    canary.pods.push_back("engine-" + std::to_string(i));
    canary.baseline_pods.push_back("engine-b-" + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) {
    canary.last_checks.push_back({"check-" + std::to_string(i),
                                  std::string(2000, '9'),
                                  {},
                                  {},
                                  policies::CheckResult::Error,
                                  std::string(1300, 'm')});
  }
  s.canary = canary;
  policies::LastRollback rb;
  rb.reason = std::string(1500, 'r');
  rb.observed = std::string(1500, 'o');
  s.last_rollback = rb;
  s.history.push_back({{}, "Canary", "RolledBack", std::string(2000, 'h')});
  for (int i = 0; i < 10; ++i) {
    policies::Condition cond;
    cond.type = "T" + std::to_string(i) + std::string(400, 't');
    cond.reason = std::string(1100, 'R');
    cond.message = std::string(40000, 'M');
    s.conditions.push_back(cond);
  }
  bound_to_schema(s);
  EXPECT_LE(s.summary->cpu->size(), kMaxQuantity);
  EXPECT_LE(s.summary->last_event->size(), kMaxLastEvent);
  EXPECT_LE(s.containers[0].step->requests->cpu->size(), kMaxQuantity);
  EXPECT_EQ(s.canary->pods.size(), kMaxPods);
  EXPECT_EQ(s.canary->pods.front(), "engine-0");
  EXPECT_EQ(s.canary->baseline_pods.size(), kMaxPods);
  ASSERT_EQ(s.canary->last_checks.size(), kMaxChecks);
  for (const auto& check : s.canary->last_checks) {
    EXPECT_LE(check.message->size(), kMaxMessage);
    EXPECT_LE(check.value->size(), kMaxMessage);
  }
  EXPECT_LE(s.last_rollback->reason->size(), kMaxMessage);
  EXPECT_LE(s.last_rollback->observed->size(), kMaxMessage);
  EXPECT_LE(s.history[0].reason->size(), kMaxMessage);
  ASSERT_EQ(s.conditions.size(), kMaxConditions);
  for (const auto& cond : s.conditions) {
    EXPECT_LE(cond.type.size(), kMaxConditionType);
    EXPECT_LE(cond.reason.size(), kMaxMessage);
    EXPECT_LE(cond.message.size(), kMaxConditionMessage);
  }
  // Bounding is stable: a stored bounded status compares equal next time.
  auto again = s;
  bound_to_schema(again);
  EXPECT_EQ(again, s);
}

}  // namespace
}  // namespace controller
