// What the official SDKs do that a plain client does not, over real HTTP against the real
// binary: Go's signature against a server on IPv6 loopback (host signed as "::1", sent as
// "[::1]:PORT"), Qianfan IAM's exact authentication messages (the Python SDK matches on them),
// and a base URL ending in "/" (requests to "//v2/...").
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/bce_signer.h"
#include "common/time_util.h"
#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

constexpr const char* kBadSignatureMessage =
    "SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match";
constexpr const char* kUnknownKeyMessage = "NotFound, cause: Could not find credential.";

// Whether this machine can listen on [::1] (containers without IPv6 cannot).
bool Ipv6LoopbackAvailable() {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  address.sin6_port = 0;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

// A request as the Go SDK builds it: `Host: <sent_host>` on the wire, but `host` signed as
// `signed_host`, with content-length, content-type, host and x-bce-date signed.
client::RawRequest GoStyle(const std::string& target, const json::object& body,
                           const std::string& sent_host, const std::string& signed_host,
                           const client::Credentials& who) {
  client::RawRequest request;
  request.target = target;
  request.body = json::serialize(body);
  std::string date = FormatUtc(SystemClock().Now());
  request.headers = {{"Host", sent_host},
                     {"Content-Type", "application/json"},
                     {"Content-Length", std::to_string(request.body.size())},
                     {"X-Bce-Date", date},
                     {"User-Agent", "bce-sdk-go/0.9.187"}};
  auth::SignableRequest signable;
  signable.method = request.method;
  signable.path = target.substr(0, target.find('?'));
  signable.query = {{"Action", target.substr(target.find("Action=") + 7)}};
  signable.headers = request.headers;
  signable.headers[0].second = signed_host;
  auth::SigningInput input{who.access_key, who.secret_key, date, 1800,
                           {"content-length", "content-type", "host", "x-bce-date"}};
  request.headers.emplace_back("Authorization", auth::SignRequest(signable, input));
  return request;
}

void ExpectAuthError(const client::HttpResponse& r, int status, const std::string& code,
                     const std::string& message) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(ErrorCodeOf(r), code) << r.body;
  EXPECT_EQ(r.Header("X-Bce-Error-Code"), code);
  auto json = r.Json();
  ASSERT_TRUE(json.is_object()) << r.body;
  EXPECT_EQ(json.at("message"), message.c_str()) << r.body;
  EXPECT_EQ(r.Header("X-Bce-Error-Message"), message);
}

json::object Postpaid(const std::string& service, int replicas) {
  return {{"serviceId", service},
          {"replicasCount", replicas},
          {"billing", {{"paymentTiming", "Postpaid"}}}};
}

class Ipv6LoopbackTest : public ServerTest {
 protected:
  std::string ListenAddress() const override { return "[::1]:0"; }
  void SetUp() override {
    if (!Ipv6LoopbackAvailable()) {
      GTEST_SKIP() << "IPv6 loopback [::1] is not available on this machine";
    }
    ServerTest::SetUp();
  }
};

TEST_F(Ipv6LoopbackTest, GoSignsHostWithoutBracketsOrPortAndVerifies) {
  ASSERT_EQ(server_->host(), "::1");
  const std::string sent = "[::1]:" + std::to_string(server_->port());
  client::Credentials admin{"a-admin", "a-admin-sk"};
  auto c = Admin();

  // A purchase (a write) and a list (a read), both signed as Go signs them.
  auto bought = c.Send(GoStyle("/v2/serviceresources?Action=PurchaseComputeUnit",
                               Postpaid("svc-a", 1), sent, "::1", admin));
  ASSERT_TRUE(bought.ok()) << bought.error().message;
  ASSERT_EQ(bought->status, 200) << bought->body;
  std::string id(ResultOf(*bought).at("instanceId").as_string());
  auto listed = c.Send(GoStyle("/v2/serviceresources?Action=DescribeComputeUnits",
                               {{"serviceId", "svc-a"}}, sent, "::1", admin));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_EQ(ResultOf(*listed).at("instances").as_array().at(0).at("instanceId"), id.c_str());

  // Java's form ("[::1]", port stripped) and the full Host header verify too.
  auto java = c.Send(GoStyle("/v2/serviceresources?Action=DescribeComputeUnits",
                             {{"serviceId", "svc-a"}}, sent, "[::1]", admin));
  ASSERT_TRUE(java.ok());
  EXPECT_EQ(java->status, 200) << java->body;
  auto plain = CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}});
  EXPECT_EQ(plain.status, 200) << plain.body;

  // Another address signed is another request.
  auto other = c.Send(GoStyle("/v2/serviceresources?Action=DescribeComputeUnits",
                              {{"serviceId", "svc-a"}}, sent, "::2", admin));
  ASSERT_TRUE(other.ok());
  ExpectAuthError(*other, 400, "SignatureDoesNotMatch", kBadSignatureMessage);
}

class SdkFidelityTest : public ServerTest {};

TEST_F(SdkFidelityTest, AuthenticationMessagesAreQianfanIamsInBodyAndHeader) {
  auto wrong_secret = Client("a-admin", "not-the-secret");
  ExpectAuthError(CallOk(wrong_secret, "/v2/serviceresources", "DescribeComputeUnits",
                         {{"serviceId", "svc-a"}}),
                  400, "SignatureDoesNotMatch", kBadSignatureMessage);
  // A write is refused the same way, and buys nothing.
  ExpectAuthError(CallOk(wrong_secret, "/v2/serviceresources", "PurchaseComputeUnit",
                         Postpaid("svc-a", 1)),
                  400, "SignatureDoesNotMatch", kBadSignatureMessage);

  auto unknown = Client("no-such-ak", "whatever");
  ExpectAuthError(
      CallOk(unknown, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}}),
      403, "InvalidAccessKeyId", kUnknownKeyMessage);
  // The operator plane answers alike.
  ExpectAuthError(CallOk(unknown, "/v1/operator", "DescribeInventory", json::object()), 403,
                  "InvalidAccessKeyId", kUnknownKeyMessage);

  OpResult("DisableAccessKey", {{"accessKey", "a-ops"}});
  auto disabled = Client("a-ops", "a-ops-sk");
  ExpectAuthError(
      CallOk(disabled, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}}),
      403, "InvalidAccessKeyId", kUnknownKeyMessage);
  ExpectInvariants();
}

// A base URL "http://host:port/" makes SDKs request "//v2/...", signed over that path.
TEST_F(SdkFidelityTest, ADoubledLeadingSlashRoutesAsOneAndTheSignatureCoversThePathAsSent) {
  auto c = Admin();
  auto bought = CallOk(c, "//v2/charge", "PurchaseComputeUnit", Postpaid("svc-a", 2));
  ASSERT_EQ(bought.status, 200) << bought.body;
  std::string id(ResultOf(bought).at("instanceId").as_string());
  for (const char* path : {"//v2/serviceresources", "//v2/serviceresources/", "/v2//charge"}) {
    auto listed = CallOk(c, path, "DescribeComputeUnits", {{"serviceId", "svc-a"}});
    ASSERT_EQ(listed.status, 200) << path << " " << listed.body;
    EXPECT_EQ(ResultOf(listed).at("instances").as_array().at(0).at("instanceId"), id.c_str());
  }
  auto detail = CallOk(c, "//v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}});
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(ResultOf(detail).at("computeUnitInstance").at("totalComputeUnits").as_int64(), 4);

  // Signed over "/v2/serviceresources" but sent to "//v2/serviceresources": the signature
  // covers the path as sent, so this is not the request that was signed.
  client::RawRequest moved;
  moved.target = "/v2/serviceresources?Action=DescribeComputeUnits";
  moved.body = json::serialize(json::object{{"serviceId", "svc-a"}});
  c.Sign(moved);
  moved.target = "/" + moved.target;
  auto refused = c.Send(moved);
  ASSERT_TRUE(refused.ok());
  ExpectAuthError(*refused, 400, "SignatureDoesNotMatch", kBadSignatureMessage);

  // Still no API at an unknown path, however many slashes.
  auto nowhere = CallOk(c, "//v2/nothing", "DescribeComputeUnits", {{"serviceId", "svc-a"}});
  EXPECT_EQ(nowhere.status, 400);
  EXPECT_EQ(ErrorCodeOf(nowhere), "InvalidURI");
  ExpectInvariants();
}

}  // namespace
}  // namespace cuplane::testing
