#include "k8s/error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace k8s {
namespace {

std::string status_body(int code, const std::string& reason, const std::string& message = "m") {
  return nlohmann::json{{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
                        {"message", message}, {"reason", reason},   {"code", code}}
      .dump();
}

struct KindCase {
  int code;
  const char* reason;
  ErrorKind kind;
  bool retryable;
};

class StatusKindTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(StatusKindTest, MapsStatusToKind) {
  const auto& c = GetParam();
  Error e = error_from_response(c.code, status_body(c.code, c.reason));
  EXPECT_EQ(e.kind, c.kind) << c.code << " " << c.reason;
  EXPECT_EQ(e.retryable(), c.retryable);
  EXPECT_EQ(e.http_status, c.code);
  EXPECT_EQ(e.reason, c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, StatusKindTest,
    ::testing::Values(KindCase{404, "NotFound", ErrorKind::NotFound, false},
                      KindCase{409, "AlreadyExists", ErrorKind::AlreadyExists, false},
                      KindCase{409, "Conflict", ErrorKind::Conflict, false},
                      KindCase{410, "Expired", ErrorKind::Gone, false},
                      KindCase{410, "Gone", ErrorKind::Gone, false},
                      KindCase{403, "Forbidden", ErrorKind::Forbidden, false},
                      KindCase{401, "Unauthorized", ErrorKind::Unauthorized, false},
                      KindCase{422, "Invalid", ErrorKind::Invalid, false},
                      KindCase{400, "BadRequest", ErrorKind::BadRequest, false},
                      KindCase{429, "TooManyRequests", ErrorKind::TooManyRequests, true},
                      KindCase{500, "InternalError", ErrorKind::ServerError, true},
                      KindCase{503, "ServiceUnavailable", ErrorKind::ServerError, true},
                      KindCase{504, "Timeout", ErrorKind::Timeout, true}));

TEST(Error, InvalidCarriesFieldCauses) {
  auto body = R"({"kind":"Status","code":422,"reason":"Invalid","message":"bad",
    "details":{"causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.x"},
                         {"reason":"FieldValueInvalid","message":"must be >= 0","field":"spec.y"}]}})";
  Error e = error_from_response(422, body);
  ASSERT_EQ(e.causes.size(), 2u);
  EXPECT_EQ(e.causes[0].field, "spec.x");
  EXPECT_EQ(e.causes[1].message, "must be >= 0");
  EXPECT_NE(e.describe().find("spec.y: must be >= 0"), std::string::npos);
}

TEST(Error, RetryAfterFromHeaderOrDetails) {
  Error header = error_from_response(429, status_body(429, "TooManyRequests"), "7");
  ASSERT_TRUE(header.retry_after);
  EXPECT_EQ(*header.retry_after, std::chrono::seconds(7));
  auto body =
      R"({"kind":"Status","code":429,"reason":"TooManyRequests","details":{"retryAfterSeconds":3}})";
  Error details = error_from_response(429, body);
  ASSERT_TRUE(details.retry_after);
  EXPECT_EQ(*details.retry_after, std::chrono::seconds(3));
  EXPECT_FALSE(error_from_response(429, "", "soon").retry_after);
}

TEST(Error, NonStatusBodyStillMapsByCode) {
  Error e = error_from_response(502, "<html>bad gateway</html>");
  EXPECT_EQ(e.kind, ErrorKind::ServerError);
  EXPECT_NE(e.message.find("bad gateway"), std::string::npos);
}

TEST(Error, InStreamStatusObject) {
  auto status = nlohmann::json::parse(
      R"j({"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410})j");
  Error e = error_from_status_json(status);
  EXPECT_EQ(e.kind, ErrorKind::Gone);
  EXPECT_EQ(e.http_status, 410);
}

TEST(Error, TransportAndTimeoutAreRetryableDecodeIsNot) {
  EXPECT_TRUE(make_error(ErrorKind::Transport, "x").retryable());
  EXPECT_TRUE(make_error(ErrorKind::Timeout, "x").retryable());
  EXPECT_FALSE(make_error(ErrorKind::Decode, "x").retryable());
  EXPECT_FALSE(make_error(ErrorKind::Config, "x").retryable());
}

}  // namespace
}  // namespace k8s
