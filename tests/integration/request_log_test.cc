// The request log as an operator's log shipper reads it: with --log-format json every line the
// server writes is a JSON object, each API request has exactly one line carrying its requestId,
// access key id, Action, status, code and latency, and no secret key or signature is anywhere
// in the output.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

struct Sent {
  std::string request_id;
  std::string access_key;
  std::string action;
  int status = 0;
  std::string code;
};

class RequestLogTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--provision-delay", "0", "--log-format", LogFormat()};
  }
  virtual std::string LogFormat() const { return "json"; }

  // One call, remembered with what its log line must say.
  void Call(client::ApiClient& c, const std::string& access_key, std::string_view path,
            std::string_view action, const json::object& body, const std::string& logged_action,
            const std::string& code) {
    auto r = CallOk(c, path, action, body);
    EXPECT_EQ(ErrorCodeOf(r), code == "OK" ? "" : code) << r.body;
    sent_.push_back({r.Header("x-bce-request-id"), access_key, logged_action, r.status, code});
  }

  // Some traffic: a success, a refusal, a bad signature, an unknown Action, no credentials.
  void Traffic() {
    auto admin = Admin();
    json::object purchase = PostpaidPurchase("svc-a", 1);
    purchase["clientToken"] = "log-1";
    Call(admin, "a-admin", "/v2/serviceresources", "PurchaseComputeUnit", purchase,
         "PurchaseComputeUnit", "OK");
    auto poor = Client("p-admin", "p-admin-sk");
    Call(poor, "p-admin", "/v2/serviceresources", "PurchaseComputeUnit",
         PrepaidPurchase("svc-p", 1, 1), "PurchaseComputeUnit", "InsufficientBalance");
    auto forger = Client("a-admin", "forged-secret-0123");
    Call(forger, "a-admin", "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", "x"}},
         "DescribeComputeUnit", "SignatureDoesNotMatch");
    Call(admin, "a-admin", "/v2/computeunit", "NoSuchAction", {}, "unknown", "InvalidAction");
    auto anonymous = Client("", "");
    client::RawRequest unsigned_request;
    unsigned_request.target = "/v2/computeunit?Action=DescribeComputeUnit";
    unsigned_request.headers = {{"Host", anonymous.host_header()},
                                {"Content-Type", "application/json"}};
    unsigned_request.body = "{}";
    auto r = anonymous.Send(unsigned_request);
    ASSERT_TRUE(r.ok());
    sent_.push_back({r->Header("x-bce-request-id"), "", "DescribeComputeUnit", r->status,
                     "AccessDenied"});
    // A signature this test knows, to look for it in the log.
    client::RawRequest signed_request;
    signed_request.target = "/v2/computeunit?Action=DescribeComputeUnit";
    signed_request.body = R"({"instanceId":"nope"})";
    admin.Sign(signed_request);
    for (const auto& [name, value] : signed_request.headers) {
      if (name == "Authorization") signature_ = value.substr(value.rfind('/') + 1);
    }
    r = admin.Send(signed_request);
    ASSERT_TRUE(r.ok());
    sent_.push_back({r->Header("x-bce-request-id"), "a-admin", "DescribeComputeUnit", r->status,
                     "ResourceNotFound"});
    ASSERT_EQ(signature_.size(), 64u);
  }

  // The whole output once the server has stopped (so every line is flushed).
  std::string StoppedOutput() {
    EXPECT_EQ(server_->Stop(), 0);
    return server_->output();
  }

  void ExpectNoSecret(const std::string& output) {
    for (const char* secret : {"a-admin-sk", "p-admin-sk", "op-sk", "forged-secret-0123",
                               "b-admin-sk", "r-admin-sk"}) {
      EXPECT_EQ(output.find(secret), std::string::npos) << "secret " << secret << " logged";
    }
    EXPECT_EQ(output.find(signature_), std::string::npos) << "a signature was logged";
    EXPECT_EQ(output.find("bce-auth-v1"), std::string::npos) << "an Authorization header was logged";
  }

  std::vector<Sent> sent_;
  std::string signature_;
};

TEST_F(RequestLogTest, JsonLinesParseAndCarryOneLinePerRequestWithoutSecrets) {
  Traffic();
  std::string output = StoppedOutput();
  ExpectNoSecret(output);

  std::map<std::string, json::object> by_request_id;
  std::istringstream lines(output);
  int json_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') {
      // stdout's lines for scripts share the pipe in this test; nothing else may be unparsable.
      EXPECT_TRUE(line.empty() || line.rfind("cuplane listening on ", 0) == 0 ||
                  line.rfind("cuplane stopped", 0) == 0 || line.rfind("Web console", 0) == 0)
          << "not JSON: " << line;
      continue;
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    ASSERT_TRUE(parsed.is_object()) << line;
    ++json_lines;
    json::object& o = parsed.as_object();
    EXPECT_TRUE(o.contains("time") && o.contains("level") && o.contains("msg")) << line;
    if (o.at("msg") != "request") continue;
    std::string id(o.at("requestId").as_string());
    EXPECT_FALSE(by_request_id.count(id)) << "two lines for " << id;
    by_request_id[id] = o;
  }
  EXPECT_GT(json_lines, static_cast<int>(sent_.size()));  // start-up messages are JSON too
  EXPECT_EQ(by_request_id.size(), sent_.size());
  for (const Sent& s : sent_) {
    ASSERT_TRUE(by_request_id.count(s.request_id)) << "no line for " << s.request_id;
    const json::object& o = by_request_id[s.request_id];
    EXPECT_EQ(o.at("accessKey"), json::value(s.access_key)) << json::serialize(o);
    EXPECT_EQ(o.at("action"), json::value(s.action)) << json::serialize(o);
    EXPECT_EQ(o.at("status"), s.status) << json::serialize(o);
    EXPECT_EQ(o.at("code"), json::value(s.code)) << json::serialize(o);
    EXPECT_GE(o.at("latencyMs").to_number<double>(), 0) << json::serialize(o);
    EXPECT_EQ(o.at("level"), "info");
  }
}

class TextRequestLogTest : public RequestLogTest {
 protected:
  std::string LogFormat() const override { return "text"; }
};

TEST_F(TextRequestLogTest, TextLinesAreOneTokenPerField) {
  Traffic();
  std::string output = StoppedOutput();
  ExpectNoSecret(output);
  static const std::regex kLine(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info request requestId=(\S+) accessKey=(\S+) )"
      R"(action=(\S+) status=(\d+) code=(\S+) latencyMs=\d+\.\d{3})");
  std::map<std::string, std::smatch> by_request_id;
  std::istringstream lines(output);
  std::vector<std::string> kept;
  for (std::string line; std::getline(lines, line);) kept.push_back(line);
  for (const std::string& line : kept) {
    std::smatch m;
    if (line.find(" request requestId=") == std::string::npos) continue;
    ASSERT_TRUE(std::regex_match(line, m, kLine)) << line;
    by_request_id[m[1]] = m;
  }
  EXPECT_EQ(by_request_id.size(), sent_.size());
  for (const Sent& s : sent_) {
    ASSERT_TRUE(by_request_id.count(s.request_id)) << s.request_id;
    const std::smatch& m = by_request_id[s.request_id];
    EXPECT_EQ(m[2], s.access_key.empty() ? "-" : s.access_key);
    EXPECT_EQ(m[3], s.action);
    EXPECT_EQ(m[4], std::to_string(s.status));
    EXPECT_EQ(m[5], s.code);
  }
}

}  // namespace
}  // namespace cuplane::testing
