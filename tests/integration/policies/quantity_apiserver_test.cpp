// Quantity text as the apiserver returns it for built-in resource fields,
// compared with policies::apiserver_text for the same input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policies/quantity.h"
#include "support/cluster.h"

namespace {

TEST(QuantityRoundTrip, MatchesTheApiserver) {
  const std::vector<std::string> inputs{
      "100m",  "1000m",  "1.5",    "0.1",    ".5",    "2",     "1000",  "1200",         "12000",
      "1000k", "1M",     "1G",     "1n",     "1u",    "1000n", "0.5n",  "1.0000000001", "1Ki",
      "1024",  "1024Ki", "1536Mi", "1.5Gi",  "0.5Ki", "1.1Ki", "64Gi",  "128Mi",        "1e3",
      "1E3",   "1e+3",   "12e2",   "100e-3", "1.5e3", "+100m", "0100m", "+1Ki",         "8Ki",
      "007",   "0",      "1e-3",   "1.",     "1.Gi"};
  itest::TestNamespace ns("quantities");
  nlohmann::json pod = {{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata", {{"name", "quantities"}, {"namespace", ns.name()}}},
                        {"spec", {{"containers", nlohmann::json::array()}}}};
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    pod["spec"]["containers"].push_back(
        {{"name", "c" + std::to_string(i)},
         {"image", "registry.invalid/none"},
         {"resources",
          {{"requests", {{"cpu", inputs[i]}, {"memory", inputs[i]}}},
           {"limits", {{"cpu", inputs[i]}, {"memory", inputs[i]}}}}}});
  }
  itest::CommandResult r;
  // The namespace's default ServiceAccount appears shortly after the namespace.
  ASSERT_TRUE(itest::eventually(
      [&] {
        r = itest::kubectl({"create", "--dry-run=server", "-f", "-", "-o", "json"}, pod.dump());
        return r.ok();
      },
      std::chrono::seconds(30)))
      << r.err;
  const auto stored = nlohmann::json::parse(r.out);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& res = stored["spec"]["containers"][i]["resources"]["requests"];
    const auto ours = policies::apiserver_text(inputs[i]);
    ASSERT_TRUE(ours.ok()) << inputs[i];
    EXPECT_EQ(res["cpu"].get<std::string>(), *ours) << "input " << inputs[i];
    EXPECT_EQ(res["memory"].get<std::string>(), *ours) << "input " << inputs[i];
  }
}

}  // namespace
