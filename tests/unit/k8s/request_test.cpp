#include "k8s/request.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace k8s {
namespace {

struct PathCase {
  const char* label;
  ObjectRef ref;
  const char* path;
};

class ObjectPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(ObjectPathTest, BuildsExactPath) {
  EXPECT_EQ(object_path(GetParam().ref), GetParam().path);
}

const ApiResource kWidgets{"example.com", "v1alpha1", "widgets", true};

INSTANTIATE_TEST_SUITE_P(
    Paths, ObjectPathTest,
    ::testing::Values(
        PathCase{
            "core_namespaced", {resources::pods(), "ns", "p", ""}, "/api/v1/namespaces/ns/pods/p"},
        PathCase{"core_all_namespaces", {resources::pods(), "", "", ""}, "/api/v1/pods"},
        PathCase{"core_collection",
                 {resources::configmaps(), "a", "", ""},
                 "/api/v1/namespaces/a/configmaps"},
        PathCase{"cluster_scoped_ignores_ns",
                 {resources::nodes(), "ignored", "n1", ""},
                 "/api/v1/nodes/n1"},
        PathCase{"named_group",
                 {resources::deployments(), "ns", "d", ""},
                 "/apis/apps/v1/namespaces/ns/deployments/d"},
        PathCase{"status",
                 {resources::deployments(), "ns", "d", "status"},
                 "/apis/apps/v1/namespaces/ns/deployments/d/status"},
        PathCase{"scale",
                 {resources::statefulsets(), "ns", "s", "scale"},
                 "/apis/apps/v1/namespaces/ns/statefulsets/s/scale"},
        PathCase{"resize",
                 {resources::pods(), "ns", "p", "resize"},
                 "/api/v1/namespaces/ns/pods/p/resize"},
        PathCase{"custom_resource",
                 {kWidgets, "ns", "w", "status"},
                 "/apis/example.com/v1alpha1/namespaces/ns/widgets/w/status"},
        PathCase{"lease",
                 {resources::leases(), "kube-system", "l", ""},
                 "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l"},
        PathCase{"crd",
                 {resources::customresourcedefinitions(), "", "w.example.com", ""},
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/w.example.com"}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(Request, ListQueryHasEveryOptionInOrderAndEncoded) {
  ListOptions o;
  o.label_selector = "app in (a,b),tier=web";
  o.field_selector = "status.phase!=Running";
  o.limit = 10;
  o.resource_version = "123";
  o.resource_version_match = ResourceVersionMatch::NotOlderThan;
  o.timeout_seconds = 30;
  auto r = list_request({resources::pods(), "ns", "", ""}, o);
  EXPECT_EQ(r.method, Method::Get);
  EXPECT_EQ(r.target(),
            "/api/v1/namespaces/ns/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%3Dweb"
            "&fieldSelector=status.phase%21%3DRunning&limit=10&resourceVersion=123"
            "&resourceVersionMatch=NotOlderThan&timeoutSeconds=30");
}

TEST(Request, ListDefaultsToLimit500) {
  auto r = list_request({resources::pods(), "", "", ""}, {});
  EXPECT_EQ(r.target(), "/api/v1/pods?limit=500");
}

TEST(Request, ContinueOmitsResourceVersion) {
  ListOptions o;
  o.resource_version = "5";
  o.continue_token = "abc==";
  auto r = list_request({resources::pods(), "ns", "", ""}, o);
  EXPECT_EQ(r.target(), "/api/v1/namespaces/ns/pods?limit=500&continue=abc%3D%3D");
}

TEST(Request, WatchRequestsBookmarksAndResumesFromVersion) {
  WatchOptions o;
  o.resource_version = "42";
  o.label_selector = "a=b";
  auto r = watch_request({resources::configmaps(), "ns", "", ""}, o);
  EXPECT_TRUE(r.is_watch);
  EXPECT_EQ(r.target(),
            "/api/v1/namespaces/ns/configmaps?watch=true&labelSelector=a%3Db&resourceVersion=42"
            "&allowWatchBookmarks=true&timeoutSeconds=290");
}

TEST(Request, PatchTypesSetContentTypeAndApplyOptions) {
  ObjectRef ref{resources::deployments(), "ns", "d", ""};
  EXPECT_EQ(*patch_request(ref, PatchType::Merge, "{}").header("content-type"),
            "application/merge-patch+json");
  EXPECT_EQ(*patch_request(ref, PatchType::StrategicMerge, "{}").header("Content-Type"),
            "application/strategic-merge-patch+json");
  EXPECT_EQ(*patch_request(ref, PatchType::JsonPatch, "[]").header("Content-Type"),
            "application/json-patch+json");
  PatchOptions o;
  o.field_manager = "rightsizer";
  o.force = true;
  o.dry_run = true;
  auto r = patch_request(ref, PatchType::Apply, "{}", o);
  EXPECT_EQ(r.method, Method::Patch);
  EXPECT_EQ(*r.header("Content-Type"), "application/apply-patch+yaml");
  EXPECT_EQ(
      r.target(),
      "/apis/apps/v1/namespaces/ns/deployments/d?dryRun=All&fieldManager=rightsizer&force=true");
}

TEST(Request, ForceOnlyForApply) {
  PatchOptions o;
  o.force = true;
  auto r = patch_request({resources::pods(), "ns", "p", ""}, PatchType::Merge, "{}", o);
  EXPECT_EQ(r.query_value("force"), nullptr);
}

TEST(Request, CreateAndReplaceCarryBodyAndOptions) {
  WriteOptions o;
  o.field_manager = "m";
  auto c = create_request({resources::configmaps(), "ns", "", ""}, R"({"a":1})", o);
  EXPECT_EQ(c.method, Method::Post);
  EXPECT_EQ(c.target(), "/api/v1/namespaces/ns/configmaps?fieldManager=m");
  EXPECT_EQ(c.body, R"({"a":1})");
  auto p = replace_request({resources::configmaps(), "ns", "x", ""}, "{}");
  EXPECT_EQ(p.method, Method::Put);
  EXPECT_EQ(p.target(), "/api/v1/namespaces/ns/configmaps/x");
}

TEST(Request, DeleteCarriesPropagationAndPreconditions) {
  DeleteOptions o;
  o.propagation_policy = PropagationPolicy::Foreground;
  o.precondition_uid = "u-1";
  o.precondition_resource_version = "9";
  auto r = delete_request({resources::deployments(), "ns", "d", ""}, o);
  EXPECT_EQ(r.method, Method::Delete);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["kind"], "DeleteOptions");
  EXPECT_EQ(body["propagationPolicy"], "Foreground");
  EXPECT_EQ(body["preconditions"]["uid"], "u-1");
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "9");
}

TEST(Request, NeverCarriesAuthorization) {
  auto r = get_request({resources::pods(), "ns", "p", ""});
  EXPECT_EQ(r.header("Authorization"), nullptr);
  EXPECT_EQ(*r.header("Accept"), "application/json");
}

TEST(Request, PercentEncodesReservedAndUtf8) {
  EXPECT_EQ(percent_encode("a b/c?d&e=f~g"), "a%20b%2Fc%3Fd%26e%3Df~g");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace k8s
