// pod_carries and the JSON every actuator writes (controller/actuator.cpp).
#include <gtest/gtest.h>

#include "actuator_fixtures.h"
#include "controller/actuator_patches.h"

namespace controller {
namespace {

using nlohmann::json;
using namespace controller::testing;

TEST(PodCarries, ExactlyTheRequestsAndLimitsOfEveryNamedContainer) {
  EXPECT_TRUE(pod_carries(pod("web-1", step_sizes()), step_sizes()));
  EXPECT_FALSE(pod_carries(pod("web-1", live_sizes()), step_sizes()));
}

TEST(PodCarries, ALimitTheStepRemovedMustBeGoneFromThePod) {
  auto with_limit = step_sizes();
  with_limit["app"].limits.cpu_millicores = 1000;
  EXPECT_FALSE(pod_carries(pod("web-1", with_limit), step_sizes()));
  EXPECT_FALSE(pod_carries(pod("web-1", step_sizes()), with_limit));
}

TEST(PodCarries, AMissingRequestInThePodIsZero) {
  auto no_request = step_sizes();
  no_request["app"].requests.memory_bytes = 0;
  EXPECT_FALSE(pod_carries(pod("web-1", no_request), step_sizes()));
  EXPECT_TRUE(pod_carries(pod("web-1", no_request), no_request));
}

TEST(PodCarries, ARequestTheStepLeavesUnsetUnderALimitIsTheLimitInThePod) {
  auto unset = step_sizes();
  unset["app"].requests.memory_bytes = 0;  // limit 2Gi
  auto defaulted = unset;
  defaulted["app"].requests.memory_bytes = 2 * kGiB;
  EXPECT_TRUE(pod_carries(pod("web-1", defaulted), unset));
  EXPECT_TRUE(pod_carries(pod("web-1", unset), unset));
  EXPECT_FALSE(pod_carries(pod("web-1", step_sizes()), unset));  // 1Gi is not the default
  EXPECT_FALSE(pod_carries(pod("web-1", defaulted), step_sizes()));
}

TEST(PodCarries, AContainerMissingFromThePodFailsAndOneNotNamedIsIgnored) {
  auto only_app = step_sizes();
  only_app.erase("sidecar");
  EXPECT_FALSE(pod_carries(pod("web-1", only_app), step_sizes()));
  EXPECT_TRUE(pod_carries(pod("web-1", step_sizes()), only_app));
}

TEST(ResourcesPatch, CanonicalQuantitiesAndNullForWhatIsUnset) {
  EXPECT_EQ(resources_patch(sized(1500, 1536 * kMiB, {}, 2 * kGiB)),
            json::parse(R"({"requests":{"cpu":"1500m","memory":"1536Mi"},)"
                        R"("limits":{"cpu":null,"memory":"2Gi"}})"));
  EXPECT_EQ(resources_patch(sized(0, 1000, 2000, {})),
            json::parse(R"({"requests":{"cpu":null,"memory":"1k"},)"
                        R"("limits":{"cpu":"2","memory":null}})"));
  EXPECT_EQ(resources_patch(sized(250, 0, {}, 512 * kMiB)),
            json::parse(R"({"requests":{"cpu":"250m","memory":null},)"
                        R"("limits":{"cpu":null,"memory":"512Mi"}})"));
}

TEST(SetResources, ReplacesCpuAndMemoryKeepsOtherResourcesAndDropsEmptyLists) {
  json c = json::parse(
      R"({"name":"app","resources":{"requests":{"cpu":"2","memory":"1Gi","ephemeral-storage":"1Gi"},)"
      R"("limits":{"cpu":"4","memory":"2Gi"}}})");
  set_resources(c, sized(500, 512 * kMiB, {}, {}));
  EXPECT_EQ(c, json::parse(R"({"name":"app","resources":{"requests":{"cpu":"500m",)"
                           R"("memory":"512Mi","ephemeral-storage":"1Gi"}}})"));
  json bare = {{"name", "sidecar"}};
  set_resources(bare, sized(100, 64 * kMiB, 200, {}));
  EXPECT_EQ(bare, json::parse(R"({"name":"sidecar","resources":{"requests":{"cpu":"100m",)"
                              R"("memory":"64Mi"},"limits":{"cpu":"200m"}}})"));
}

TEST(TemplateResourcesPatch, EveryContainerByNameAndTheStepMarker) {
  EXPECT_EQ(template_resources_patch(step_sizes(), "rs-0123456789abcdef"), json::parse(R"({
    "metadata":{"annotations":{"rightsizer.io/step":"rs-0123456789abcdef"}},
    "spec":{"template":{"spec":{"containers":[
      {"name":"app","resources":{"requests":{"cpu":"1","memory":"1Gi"},
                                 "limits":{"cpu":null,"memory":"2Gi"}}},
      {"name":"sidecar","resources":{"requests":{"cpu":"100m","memory":"64Mi"},
                                     "limits":{"cpu":null,"memory":null}}}]}}}})"));
}

TEST(PodTemplateHash, LeavesOutResourcesAndRightsizerAnnotationsOnly) {
  const auto base = pod_template_hash(json::parse(kTemplateJson));
  EXPECT_EQ(base.size(), 19u);  // "tp-" + 16 hex digits
  EXPECT_EQ(base.rfind("tp-", 0), 0u);
  auto tmpl = json::parse(kTemplateJson);
  // What Rightsizer writes does not count: resources, its own annotations.
  tmpl["spec"]["containers"][0]["resources"] = {{"requests", {{"cpu", "8"}}}};
  tmpl["spec"]["containers"][1].erase("resources");
  tmpl["metadata"]["annotations"]["rightsizer.io/step"] = "rs-1";
  EXPECT_EQ(pod_template_hash(tmpl), base);
  // An empty annotation map is the same template as none.
  auto bare = json::parse(kTemplateJson);
  bare["metadata"].erase("annotations");
  auto emptied = bare;
  emptied["metadata"]["annotations"] = {{"rightsizer.io/step", "rs-1"}};
  EXPECT_EQ(pod_template_hash(emptied), pod_template_hash(bare));
  // Anything else does: an image, an env var, another annotation, a label.
  for (const auto& change : {json::json_pointer("/spec/containers/0/image"),
                             json::json_pointer("/spec/containers/1/env"),
                             json::json_pointer("/metadata/annotations/kubectl.kubernetes.io~1x"),
                             json::json_pointer("/metadata/labels/version")}) {
    auto changed = json::parse(kTemplateJson);
    changed[change] = "v2";
    EXPECT_NE(pod_template_hash(changed), base) << change.to_string();
  }
  EXPECT_EQ(pod_template_hash(json("text")), "");
  EXPECT_EQ(pod_template_hash(json::array()), "");
}

}  // namespace
}  // namespace controller
