// The status readers the e2e predicates call on every poll: a status still
// being filled in answers "" or null, never an exception.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/workloads.h"

namespace {

using json = nlohmann::json;

TEST(StatusRequest, ReadsOnePartOfANamedContainer) {
  const json r = {{"status",
                   {{"containers",
                     {{{"name", "side"}, {"current", {{"requests", {{"cpu", "1"}}}}}},
                      {{"name", "main"},
                       {"current", {{"requests", {{"cpu", "2"}, {"memory", "1Gi"}}}}},
                       {"recommended", {{"requests", {{"memory", "1536Mi"}}}}}}}}}}};
  EXPECT_EQ(e2e::status_request(r, "main", "current", "cpu"), "2");
  EXPECT_EQ(e2e::status_request(r, "main", "recommended", "memory"), "1536Mi");
  EXPECT_EQ(e2e::status_request(r, "side", "current", "cpu"), "1");
}

TEST(StatusRequest, AnythingAbsentIsEmptyNotAnException) {
  const json partial = {{"status", {{"containers", {{{"name", "main"}}}}}}};
  EXPECT_EQ(e2e::status_request(partial, "main", "recommended", "memory"), "");
  EXPECT_EQ(e2e::status_request(partial, "other", "current", "cpu"), "");
  EXPECT_EQ(e2e::status_request(json::object(), "main", "current", "cpu"), "");
  EXPECT_EQ(e2e::status_request(json(), "main", "current", "cpu"), "");
  const json null_part = {
      {"status", {{"containers", {{{"name", "main"}, {"recommended", nullptr}}}}}}};
  EXPECT_EQ(e2e::status_request(null_part, "main", "recommended", "memory"), "");
  EXPECT_TRUE(e2e::status_container(json(), "main").is_null());
}

TEST(StatusOf, TheStatusOrAnEmptyObject) {
  EXPECT_EQ(e2e::status_of(json{{"status", {{"phase", "Canary"}}}}).value("phase", ""), "Canary");
  EXPECT_EQ(e2e::status_of(json{{"metadata", json::object()}}), json::object());
  EXPECT_EQ(e2e::status_of(json{{"status", nullptr}}), json::object());
  EXPECT_EQ(e2e::status_of(json()), json::object());
  // The readers built on it: a null status is no status.
  EXPECT_TRUE(e2e::status_container(json{{"status", nullptr}}, "main").is_null());
  EXPECT_TRUE(e2e::condition(json{{"status", nullptr}}, "Ready").is_null());
}

}  // namespace
