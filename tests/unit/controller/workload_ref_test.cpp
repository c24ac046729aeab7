#include <gtest/gtest.h>

#include "controller/cluster_objects.h"
#include "controller/reconciler.h"

namespace controller {
namespace {

TEST(WorkloadRefTest, KeyRoundTripsAndNamesTheRightsizingInLowerCase) {
  WorkloadRef ref{WorkloadKind::StatefulSet, "trading", "Guardian"};
  EXPECT_EQ(ref.key(), "StatefulSet/trading/Guardian");
  EXPECT_EQ(ref.rightsizing_name(), "statefulset-guardian");
  auto back = parse_workload_key(ref.key());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, ref);
}

TEST(WorkloadRefTest, OtherKeysAreNotWorkloads) {
  for (const char* key : {"", "Deployment", "Deployment/ns", "Deployment//x", "Deployment/ns/",
                          "ReplicaSet/ns/x", "Deployment/ns/a/b", "RightsizePolicy/ns/p"}) {
    EXPECT_FALSE(parse_workload_key(key).has_value()) << key;
  }
  EXPECT_EQ(parse_workload_key("Deployment/ns/x")->kind, WorkloadKind::Deployment);
}

TEST(WorkloadRefTest, PolicyKeysAreNotWorkloadKeys) {
  EXPECT_EQ(policy_key("shop", "standard"), "RightsizePolicy/shop/standard");
  EXPECT_FALSE(parse_workload_key(policy_key("shop", "standard")).has_value());
}

}  // namespace
}  // namespace controller
