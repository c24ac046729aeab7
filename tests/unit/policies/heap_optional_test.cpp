#include "policies/heap_optional.h"

#include <gtest/gtest.h>

#include <string>

#include "policies/rightsizing_status.h"

namespace policies {
namespace {

struct Sized {
  std::string cpu;
  friend bool operator==(const Sized&, const Sized&) = default;
};

TEST(HeapOptional, EmptyUntilAssignedThenHoldsTheValue) {
  HeapOptional<Sized> o;
  EXPECT_FALSE(o.has_value());
  EXPECT_FALSE(o);
  EXPECT_EQ(o, std::nullopt);
  EXPECT_EQ(o.value_or(Sized{"fallback"}).cpu, "fallback");
  o = Sized{"500m"};
  ASSERT_TRUE(o);
  EXPECT_EQ(o->cpu, "500m");
  EXPECT_EQ((*o).cpu, "500m");
  EXPECT_EQ(o.value_or(Sized{"fallback"}).cpu, "500m");
  o->cpu = "750m";  // assigning through it changes the held value
  EXPECT_EQ(o->cpu, "750m");
  o = std::nullopt;
  EXPECT_FALSE(o);
  o.emplace().cpu = "1";
  EXPECT_EQ(o->cpu, "1");
  o.reset();
  EXPECT_FALSE(o);
}

TEST(HeapOptional, CopiesAreDeepAndEqualityComparesValues) {
  HeapOptional<Sized> a = Sized{"2"};
  HeapOptional<Sized> b = a;
  ASSERT_TRUE(b);
  EXPECT_EQ(a, b);
  b->cpu = "1";  // the copy owns its own value
  EXPECT_EQ(a->cpu, "2");
  EXPECT_FALSE(a == b);
  b = a;  // copy-assignment into a held value
  EXPECT_EQ(b->cpu, "2");
  HeapOptional<Sized> empty;
  EXPECT_FALSE(a == empty);
  EXPECT_FALSE(empty == a);
  EXPECT_EQ(empty, HeapOptional<Sized>());
  b = empty;  // copy-assignment of an empty one empties
  EXPECT_FALSE(b);
  HeapOptional<Sized> moved = std::move(a);
  EXPECT_EQ(moved->cpu, "2");
  EXPECT_EQ(moved.to_optional(), std::optional<Sized>(Sized{"2"}));
  EXPECT_EQ(empty.to_optional(), std::nullopt);
}

// Why it exists: the operator caches one status per workload, and the parts
// that are absent most of the time must cost a pointer, not their size.
TEST(HeapOptional, AbsentPartsOfAContainerStatusCostAPointer) {
  EXPECT_EQ(sizeof(HeapOptional<StatusResources>), sizeof(void*));
  EXPECT_LT(sizeof(ContainerStatus), 3 * sizeof(StatusResources));
  EXPECT_LT(sizeof(RightsizingStatus), sizeof(CanaryStatus) + sizeof(LastRollback));
}

}  // namespace
}  // namespace policies
