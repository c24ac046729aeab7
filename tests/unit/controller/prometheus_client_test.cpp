// The Prometheus client against a scripted HTTP server on 127.0.0.1 port 0:
// every answer shape, and every failure as its own named error.
#include "controller/prometheus_client.h"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "test_http_server.h"

namespace {

using controller::PromErrorKind;
using controller::ResultType;
using testsupport::ScriptedAnswer;
using testsupport::TestHttpServer;
using namespace std::chrono_literals;

const auto kAt = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));

std::unique_ptr<controller::PrometheusQuerier> client_for(const std::string& url,
                                                          std::chrono::milliseconds timeout = 2s,
                                                          std::size_t max_bytes = 4u << 20,
                                                          std::string token_file = {}) {
  controller::PrometheusOptions opts;
  opts.address = url;
  opts.timeout = timeout;
  opts.max_response_bytes = max_bytes;
  opts.bearer_token_file = std::move(token_file);
  auto made = controller::make_prometheus_client(opts);
  EXPECT_TRUE(made.ok()) << made.error().describe();
  return std::move(made.value());
}

controller::PromResult<controller::QueryResult> answer_with(int status, std::string body) {
  TestHttpServer server([&](const auto&) { return ScriptedAnswer{status, body}; });
  return client_for(server.url())->query("up", kAt);
}

// application/x-www-form-urlencoded value of `key` in `body`, decoded.
std::string form_value(const std::string& body, const std::string& key) {
  const auto start = body.find(key + "=");
  if (start == std::string::npos) return "<missing>";
  auto end = body.find('&', start);
  std::string enc =
      body.substr(start + key.size() + 1,
                  end == std::string::npos ? std::string::npos : end - start - key.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    if (enc[i] == '%' && i + 2 < enc.size()) {
      out += static_cast<char>(std::stoi(enc.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (enc[i] == '+') {
      out += ' ';
    } else {
      out += enc[i];
    }
  }
  return out;
}

TEST(PrometheusClient, SendsAPostFormWithQueryTimeAndTimeout) {
  TestHttpServer server([](const auto&) {
    return ScriptedAnswer{200,
                          R"({"status":"success","data":{"resultType":"vector","result":[]}})"};
  });
  const std::string promql = R"(max(x{pod=~"a\\.b|c&d=e"}) + 1)";
  auto r = client_for(server.url() + "/prom/", 1500ms)->query(promql, kAt);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto req = server.last_request();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/prom/api/v1/query");
  EXPECT_EQ(req.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(form_value(req.body, "query"), promql);
  EXPECT_EQ(form_value(req.body, "time"), "1700000000.123");
  EXPECT_EQ(form_value(req.body, "timeout"), "1500ms");
  EXPECT_EQ(req.authorization, "");
}

TEST(PrometheusClient, ScalarResult) {
  auto r = answer_with(
      200,
      R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.1,"0.042"]}})");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->type, ResultType::Scalar);
  ASSERT_EQ(r->samples.size(), 1U);
  EXPECT_DOUBLE_EQ(r->samples[0].value, 0.042);
  auto v = controller::single_value(*r);
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(v->value(), 0.042);
}

TEST(PrometheusClient, VectorWithLabelsAndSpecialValues) {
  auto r = answer_with(200, R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"pod":"a"},"value":[1,"NaN"]},
      {"metric":{"pod":"b"},"value":[1,"+Inf"]},
      {"metric":{"pod":"c"},"value":[1,"-Inf"]},
      {"metric":{},"value":[1,"1e-3"]}]}})");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->type, ResultType::Vector);
  ASSERT_EQ(r->samples.size(), 4U);
  EXPECT_EQ(r->samples[0].labels.at(0), (std::pair<std::string, std::string>{"pod", "a"}));
  EXPECT_TRUE(std::isnan(r->samples[0].value));
  EXPECT_EQ(r->samples[1].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(r->samples[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(r->samples[3].value, 0.001);
  auto one = controller::single_value(*r);
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().kind, PromErrorKind::SeveralSeries);
}

TEST(PrometheusClient, EmptyVectorIsNoData) {
  auto r = answer_with(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->samples.empty());
  auto v = controller::single_value(*r);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
}

// Warnings may mean partial data and fail a check; infos do not: kept apart.
TEST(PrometheusClient, WarningsAndInfosAreKeptApart) {
  auto r = answer_with(200, R"({"status":"success","warnings":["w1"],"infos":["i1"],
      "data":{"resultType":"vector","result":[]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->warnings, (std::vector<std::string>{"w1"}));
  EXPECT_EQ(r->infos, (std::vector<std::string>{"i1"}));
}

struct FailureCase {
  const char* name;
  int status;
  const char* body;
  PromErrorKind kind;
  const char* error_type;
};

class PrometheusFailures : public testing::TestWithParam<FailureCase> {};

TEST_P(PrometheusFailures, IsANamedError) {
  const auto& c = GetParam();
  auto r = answer_with(c.status, c.body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, c.kind) << r.error().describe();
  EXPECT_EQ(r.error().error_type, c.error_type);
  EXPECT_EQ(r.error().describe().rfind(std::string(controller::to_string(c.kind)), 0), 0U);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PrometheusFailures,
    testing::Values(
        FailureCase{"BadPromQL", 400,
                    R"({"status":"error","errorType":"bad_data","error":"parse error at char 3"})",
                    PromErrorKind::QueryError, "bad_data"},
        FailureCase{"ExecutionError", 422,
                    R"({"status":"error","errorType":"execution","error":"many-to-many"})",
                    PromErrorKind::QueryError, "execution"},
        FailureCase{"QueryTimeout", 503,
                    R"({"status":"error","errorType":"timeout","error":"query timed out"})",
                    PromErrorKind::QueryError, "timeout"},
        FailureCase{"ErrorNotAString", 400, R"({"status":"error","error":5})",
                    PromErrorKind::QueryError, ""},
        FailureCase{"ErrorTypeNull", 422, R"({"status":"error","errorType":null,"error":"x"})",
                    PromErrorKind::QueryError, ""},
        FailureCase{"ErrorWith200", 200, R"({"status":"error","errorType":"internal","error":"x"})",
                    PromErrorKind::QueryError, "internal"},
        FailureCase{"ProxyHtml502", 502, "<html>Bad Gateway</html>", PromErrorKind::HttpServerError,
                    ""},
        FailureCase{"WrongPath404", 404, "404 page not found", PromErrorKind::HttpClientError, ""},
        FailureCase{"Unauthorized401", 401, "", PromErrorKind::HttpClientError, ""},
        FailureCase{"NotJson", 200, "up 1", PromErrorKind::BadResponse, ""},
        FailureCase{"TruncatedJson", 200, R"({"status":"success","data":{)",
                    PromErrorKind::BadResponse, ""},
        FailureCase{"JsonNotAnAnswer", 200, "[1,2]", PromErrorKind::BadResponse, ""},
        FailureCase{"UnknownStatus", 200, R"({"status":"maybe"})", PromErrorKind::BadResponse, ""},
        FailureCase{"NoData", 200, R"({"status":"success"})", PromErrorKind::BadResponse, ""},
        FailureCase{
            "BadValue", 200,
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"fast"]}]}})",
            PromErrorKind::BadResponse, ""},
        FailureCase{"NumberNotString", 200,
                    R"({"status":"success","data":{"resultType":"scalar","result":[1,0.5]}})",
                    PromErrorKind::BadResponse, ""},
        FailureCase{
            "DeeplyNested", 200,
            R"({"status":"success","data":{"a":[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]}})",
            PromErrorKind::BadResponse, ""},
        FailureCase{"Matrix", 200,
                    R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
                    PromErrorKind::UnexpectedResultType, ""},
        FailureCase{"String", 200,
                    R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})",
                    PromErrorKind::UnexpectedResultType, ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PrometheusClient, NestingIsBoundedBeforeTheAnswerIsRead) {
  std::string body = R"({"status":"success","data":{"resultType":"vector","result":[],"x":)";
  body += std::string(40, '[') + std::string(40, ']') + "}}";
  auto r = controller::parse_query_response(200, body);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos) << r.error().message;
}

TEST(PrometheusClient, ConnectionRefused) {
  unsigned short port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  auto r = client_for("http://127.0.0.1:" + std::to_string(port))->query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, PromErrorKind::ConnectionRefused) << r.error().describe();
}

TEST(PrometheusClient, TimeoutWhenPrometheusDoesNotAnswer) {
  TestHttpServer server([](const auto&) {
    ScriptedAnswer a;
    a.hang = true;
    return a;
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = client_for(server.url(), 300ms)->query("up", kAt);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, PromErrorKind::Timeout) << r.error().describe();
  EXPECT_LT(took, 5s);  // the query's own timeout ended it, not a test timeout
}

TEST(PrometheusClient, ConnectionClosedWithoutAnswerIsUnreachable) {
  TestHttpServer server([](const auto&) {
    ScriptedAnswer a;
    a.close = true;
    return a;
  });
  auto r = client_for(server.url())->query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, PromErrorKind::Unreachable) << r.error().describe();
}

TEST(PrometheusClient, ResponseLargerThanTheBoundIsRefused) {
  const std::string big = R"({"status":"success","warnings":[")" + std::string(4096, 'w') +
                          R"("],"data":{"resultType":"vector","result":[]}})";
  TestHttpServer server([&](const auto&) { return ScriptedAnswer{200, big}; });
  auto r = client_for(server.url(), 2s, 1024)->query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, PromErrorKind::ResponseTooLarge) << r.error().describe();
  // The same answer fits a larger bound.
  EXPECT_TRUE(client_for(server.url(), 2s, 8192)->query("up", kAt).ok());
}

// Without Content-Length the bound must hold while the chunks arrive.
TEST(PrometheusClient, ChunkedResponseLargerThanTheBoundIsRefused) {
  const std::string body = R"({"status":"success","warnings":[")" + std::string(4096, 'w') +
                           R"("],"data":{"resultType":"vector","result":[]}})";
  std::string raw =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n";
  for (std::size_t i = 0; i < body.size(); i += 512) {
    const auto piece = body.substr(i, 512);
    std::ostringstream size;
    size << std::hex << piece.size();
    raw += size.str() + "\r\n" + piece + "\r\n";
  }
  raw += "0\r\n\r\n";
  TestHttpServer server([&](const auto&) {
    ScriptedAnswer a;
    a.raw = raw;
    return a;
  });
  auto r = client_for(server.url(), 2s, 1024)->query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, PromErrorKind::ResponseTooLarge) << r.error().describe();
  EXPECT_TRUE(client_for(server.url(), 2s, 8192)->query("up", kAt).ok());
}

// A Content-Length over the bound is refused on the header, even if fewer
// bytes ever arrive (not read as a truncated answer).
TEST(PrometheusClient, DeclaredLengthLargerThanTheBoundIsRefused) {
  TestHttpServer server([](const auto&) {
    ScriptedAnswer a;
    a.raw =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
        "Connection: close\r\n\r\n{\"status\":\"success\"";
    return a;
  });
  auto r = client_for(server.url(), 2s, 1024)->query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, PromErrorKind::ResponseTooLarge) << r.error().describe();
}

TEST(PrometheusClient, BearerTokenFromFileIsSentAndNeverInErrors) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("rightsizer-prom-token-" + std::to_string(::getpid()));
  std::ofstream(file) << "s3cr3t-token\n";
  TestHttpServer server([](const auto&) { return ScriptedAnswer{500, "boom"}; });
  auto r = client_for(server.url(), 2s, 4u << 20, file.string())->query("up", kAt);
  std::filesystem::remove(file);
  EXPECT_EQ(server.last_request().authorization, "Bearer s3cr3t-token");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe().find("s3cr3t"), std::string::npos);
  // A token file that disappeared is a Config error, and nothing is sent.
  const int before = server.requests();
  auto gone = client_for(server.url(), 2s, 4u << 20, file.string())->query("up", kAt);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, PromErrorKind::Config);
  EXPECT_EQ(server.requests(), before);
}

struct AddressCase {
  const char* text;
  bool ok;
  bool tls;
  const char* host;
  const char* port;
  const char* prefix;
};

class PrometheusAddresses : public testing::TestWithParam<AddressCase> {};

TEST_P(PrometheusAddresses, Parse) {
  const auto& c = GetParam();
  auto a = controller::parse_prometheus_address(c.text);
  ASSERT_EQ(a.ok(), c.ok) << c.text;
  if (!c.ok) {
    EXPECT_EQ(a.error().kind, PromErrorKind::Config);
    return;
  }
  EXPECT_EQ(a->tls, c.tls);
  EXPECT_EQ(a->host, c.host);
  EXPECT_EQ(a->port, c.port);
  EXPECT_EQ(a->path_prefix, c.prefix);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PrometheusAddresses,
    testing::Values(AddressCase{"http://prometheus.monitoring:9090", true, false,
                                "prometheus.monitoring", "9090", ""},
                    AddressCase{"http://prom", true, false, "prom", "80", ""},
                    AddressCase{"https://prom/", true, true, "prom", "443", ""},
                    AddressCase{"https://[::1]:9443/p/q/", true, true, "::1", "9443", "/p/q"},
                    AddressCase{"prom:9090", false, false, "", "", ""},
                    AddressCase{"http://:9090", false, false, "", "", ""},
                    AddressCase{"http://prom:99999", false, false, "", "", ""},
                    AddressCase{"http://prom:0", false, false, "", "", ""},
                    AddressCase{"http://prom:x", false, false, "", "", ""},
                    AddressCase{"http://[::1", false, false, "", "", ""},
                    AddressCase{"http://user@prom", false, false, "", "", ""},
                    AddressCase{"http://prom/?q=1", false, false, "", "", ""}));

TEST(PrometheusClient, HttpsWithAnUnreadableCaFileIsAConfigError) {
  controller::PrometheusOptions opts;
  opts.address = "https://127.0.0.1:1";
  opts.ca_file = "/nonexistent/ca.crt";
  auto made = controller::make_prometheus_client(opts);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().kind, PromErrorKind::Config);
}

TEST(PrometheusClient, TransportErrorsOfTheHttpsTransportAreNamed) {
  using k8s::ErrorKind;
  auto refused = k8s::make_error(ErrorKind::Transport, "connecting to h:1: Connection refused");
  EXPECT_EQ(controller::from_transport_error(refused).kind, PromErrorKind::ConnectionRefused);
  auto big = k8s::make_error(ErrorKind::Transport, "response body exceeds 10 bytes (page...)");
  EXPECT_EQ(controller::from_transport_error(big).kind, PromErrorKind::ResponseTooLarge);
  auto tls = k8s::make_error(ErrorKind::Transport,
                             "connecting (TLS handshake): certificate verify failed");
  EXPECT_EQ(controller::from_transport_error(tls).kind, PromErrorKind::Unreachable);
  EXPECT_EQ(controller::from_transport_error(k8s::make_error(ErrorKind::Timeout, "t")).kind,
            PromErrorKind::Timeout);
}

}  // namespace
