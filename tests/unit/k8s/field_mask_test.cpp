#include "k8s/field_mask.h"

#include <gtest/gtest.h>

namespace k8s {
namespace {

using nlohmann::json;

const char* kPod = R"({"apiVersion":"v1","kind":"Pod",
  "metadata":{"name":"p","namespace":"ns","labels":{"a":"b"},"annotations":{"x":"a \"quoted\" \\ value}"},
              "ownerReferences":[{"uid":"o1","kind":"ReplicaSet"},{"uid":"o2"}]},
  "spec":{"nodeName":"n1","containers":[
     {"name":"c1","image":"img","resources":{"requests":{"cpu":"100m"}},"env":[{"name":"E","value":"]}"}]},
     {"name":"c2","resources":{}}]},
  "status":{"phase":"Running","conditions":[{"type":"Ready"}]}})";

TEST(FieldMask, EverythingIsAFullParse) {
  FieldMask all;
  auto v = all.decode(kPod);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, json::parse(kPod));
}

TEST(FieldMask, KeepsOnlyListedPaths) {
  FieldMask m{"metadata.name", "metadata.ownerReferences[].uid", "spec.containers[].name",
              "spec.containers[].resources", "status.phase"};
  auto v = m.decode(kPod);
  ASSERT_TRUE(v) << v.error().describe();
  json expected =
      json::parse(R"({"metadata":{"name":"p","ownerReferences":[{"uid":"o1"},{"uid":"o2"}]},
    "spec":{"containers":[{"name":"c1","resources":{"requests":{"cpu":"100m"}}},{"name":"c2","resources":{}}]},
    "status":{"phase":"Running"}})");
  EXPECT_EQ(*v, expected);
}

TEST(FieldMask, WithAddsPaths) {
  FieldMask m{"status.phase"};
  auto v = m.with({"metadata.namespace"}).decode(kPod);
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["metadata"]["namespace"], "ns");
  EXPECT_EQ((*v)["status"]["phase"], "Running");
}

class FieldMaskMalformedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FieldMaskMalformedTest, IsADecodeError) {
  FieldMask m{"metadata.name"};
  auto v = m.decode(GetParam());
  ASSERT_FALSE(v) << GetParam();
  EXPECT_EQ(v.error().kind, ErrorKind::Decode);
}

INSTANTIATE_TEST_SUITE_P(Malformed, FieldMaskMalformedTest,
                         ::testing::Values("", "{", R"({"metadata":{"name":"p"})",
                                           R"({"metadata":{"name":"p}})",
                                           R"({"metadata" {"name":"p"}})",
                                           R"({"metadata":{"name":p}})", R"({"a":1} trailing)",
                                           R"({"spec":{"x":[1,2})", R"({1:2})"));

// A key without a value is malformed whether its value is kept or skipped
// (a skipped one used to scan as an empty scalar and be accepted).
TEST(FieldMask, KeyWithoutValueIsAnError) {
  for (const char* text : {R"({"type":})", R"({"type":,"x":1})", R"({"x":1,"type":})"}) {
    EXPECT_FALSE(FieldMask{"type"}.decode(text)) << text;
    EXPECT_FALSE(FieldMask{"x"}.decode(text)) << text;
  }
}

}  // namespace
}  // namespace k8s
