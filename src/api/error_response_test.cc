#include "api/error_response.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cuplane::api {
namespace {

struct CodeRow {
  ErrorCode code;
  std::string_view name;
  int status;
};

// SPEC §8, plus RequestHeaderFieldsTooLarge (431) for oversized request headers (SPEC §7).
constexpr CodeRow kSpecTable[] = {
    {ErrorCode::kInvalidHTTPRequest, "InvalidHTTPRequest", 400},
    {ErrorCode::kInvalidURI, "InvalidURI", 400},
    {ErrorCode::kInvalidAction, "InvalidAction", 400},
    {ErrorCode::kMalformedJSON, "MalformedJSON", 400},
    {ErrorCode::kInvalidParameter, "InvalidParameter", 400},
    {ErrorCode::kInvalidHTTPAuthHeader, "InvalidHTTPAuthHeader", 400},
    {ErrorCode::kSignatureDoesNotMatch, "SignatureDoesNotMatch", 400},
    {ErrorCode::kRequestExpired, "RequestExpired", 400},
    {ErrorCode::kInvalidAccessKeyId, "InvalidAccessKeyId", 403},
    {ErrorCode::kAccessDenied, "AccessDenied", 403},
    {ErrorCode::kIdempotentParameterMismatch, "IdempotentParameterMismatch", 403},
    {ErrorCode::kResourceNotFound, "ResourceNotFound", 404},
    {ErrorCode::kOperationNotAllowed, "OperationNotAllowed", 400},
    {ErrorCode::kInsufficientInventory, "InsufficientInventory", 400},
    {ErrorCode::kInsufficientBalance, "InsufficientBalance", 400},
    {ErrorCode::kRequestEntityTooLarge, "RequestEntityTooLarge", 413},
    {ErrorCode::kRequestHeaderFieldsTooLarge, "RequestHeaderFieldsTooLarge", 431},
    {ErrorCode::kRequestLimitExceeded, "RequestLimitExceeded", 429},
    {ErrorCode::kInternalError, "InternalError", 500},
    {ErrorCode::kServiceUnavailable, "ServiceUnavailable", 503},
};

// The enum is dense from kInvalidHTTPRequest to kServiceUnavailable; the table must cover it.
constexpr int kFirstCode = static_cast<int>(ErrorCode::kInvalidHTTPRequest);
constexpr int kLastCode = static_cast<int>(ErrorCode::kServiceUnavailable);

const std::string kRequestId = "0b6b1f6e-3f0c-4d47-9b8a-5a3f2b1c0d9e";

// Every header of `response` named `name` (names compared case-insensitively).
std::vector<std::string> HeaderValues(const ApiResponse& response, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [k, v] : response.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(k[i])) !=
          std::tolower(static_cast<unsigned char>(name[i]))) {
        same = false;
      }
    }
    if (same) values.push_back(v);
  }
  return values;
}

std::string OnlyHeader(const ApiResponse& response, std::string_view name) {
  auto values = HeaderValues(response, name);
  EXPECT_EQ(values.size(), 1u) << name;
  return values.empty() ? std::string() : values.front();
}

// The string `v` holds, or a marker that makes a comparison fail readably.
std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "<not a string: " + serialize(v) + ">";
}

bool IsSafeHeaderValue(std::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

TEST(HttpStatusForTest, TableCoversEveryErrorCode) {
  EXPECT_EQ(std::size(kSpecTable), static_cast<size_t>(kLastCode - kFirstCode + 1));
  std::set<int> covered;
  for (const CodeRow& row : kSpecTable) covered.insert(static_cast<int>(row.code));
  for (int c = kFirstCode; c <= kLastCode; ++c) EXPECT_TRUE(covered.count(c)) << c;
}

TEST(HttpStatusForTest, EveryCodeMapsToTheSpecStatus) {
  for (const CodeRow& row : kSpecTable) {
    EXPECT_EQ(HttpStatusFor(row.code), row.status) << row.name;
  }
}

TEST(HttpStatusForTest, RequestHeaderFieldsTooLargeIs431) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kRequestHeaderFieldsTooLarge), 431);
}

// The Node.js SDK retries 408/409/429/5xx: the purchase outcomes must not be among them.
TEST(HttpStatusForTest, PurchaseOutcomesAreNotRetryableStatuses) {
  for (ErrorCode code : {ErrorCode::kInsufficientInventory, ErrorCode::kInsufficientBalance,
                         ErrorCode::kIdempotentParameterMismatch, ErrorCode::kInvalidParameter}) {
    int status = HttpStatusFor(code);
    EXPECT_NE(status, 408);
    EXPECT_NE(status, 409);
    EXPECT_NE(status, 429);
    EXPECT_LT(status, 500);
  }
}

TEST(ErrorCodeNameTest, EveryCodeHasItsWireName) {
  for (const CodeRow& row : kSpecTable) EXPECT_EQ(ErrorCodeName(row.code), row.name);
}

TEST(ErrorCodeNameTest, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (int c = kFirstCode; c <= kLastCode; ++c) {
    names.insert(ErrorCodeName(static_cast<ErrorCode>(c)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kLastCode - kFirstCode + 1));
}

TEST(MakeErrorResponseTest, EveryCodeGetsStatusBodyAndHeaders) {
  for (const CodeRow& row : kSpecTable) {
    SCOPED_TRACE(row.name);
    ApiResponse response = MakeErrorResponse(MakeError(row.code, "what went wrong"), kRequestId);
    EXPECT_EQ(response.status, row.status);
    boost::json::value body = boost::json::parse(response.body);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body.as_object().size(), 3u) << response.body;
    EXPECT_EQ(Str(body.at("requestId")), kRequestId);
    EXPECT_EQ(Str(body.at("code")), row.name);
    EXPECT_EQ(Str(body.at("message")), "what went wrong");
    EXPECT_EQ(OnlyHeader(response, "x-bce-request-id"), kRequestId);
    EXPECT_EQ(OnlyHeader(response, "X-Bce-Error-Code"), row.name);
    EXPECT_EQ(OnlyHeader(response, "X-Bce-Error-Message"), "what went wrong");
  }
}

TEST(MakeErrorResponseTest, HeaderNamesAreSpelledAsTheSdksExpect) {
  ApiResponse response =
      MakeErrorResponse(MakeError(ErrorCode::kAccessDenied, "denied"), kRequestId);
  std::set<std::string> names;
  for (const auto& [k, v] : response.headers) names.insert(k);
  EXPECT_TRUE(names.count("x-bce-request-id"));
  EXPECT_TRUE(names.count("X-Bce-Error-Code"));
  EXPECT_TRUE(names.count("X-Bce-Error-Message"));
}

TEST(MakeErrorResponseTest, BodyIsJson) {
  ApiResponse response =
      MakeErrorResponse(MakeError(ErrorCode::kInvalidParameter, "bad"), kRequestId);
  auto content_type = HeaderValues(response, "Content-Type");
  ASSERT_EQ(content_type.size(), 1u);
  EXPECT_EQ(content_type.front().rfind("application/json", 0), 0u) << content_type.front();
}

TEST(MakeErrorResponseTest, CrLfInMessageCannotInjectHeaders) {
  const std::string message = "bad value\r\nX-Injected: 1\nSet-Cookie: a=b";
  ApiResponse response =
      MakeErrorResponse(MakeError(ErrorCode::kInvalidParameter, message), kRequestId);
  std::string header = OnlyHeader(response, "X-Bce-Error-Message");
  EXPECT_TRUE(IsSafeHeaderValue(header)) << header;
  EXPECT_EQ(header.find('\r'), std::string::npos);
  EXPECT_EQ(header.find('\n'), std::string::npos);
  EXPECT_NE(header.find("bad value"), std::string::npos);
  EXPECT_TRUE(HeaderValues(response, "X-Injected").empty());
  // The body keeps the message verbatim (JSON escapes it).
  EXPECT_EQ(Str(boost::json::parse(response.body).at("message")), message);
}

TEST(MakeErrorResponseTest, NonAsciiMessageIsSanitisedInHeaderOnly) {
  const std::string message = "余额不足 balance too low";
  ApiResponse response =
      MakeErrorResponse(MakeError(ErrorCode::kInsufficientBalance, message), kRequestId);
  std::string header = OnlyHeader(response, "X-Bce-Error-Message");
  EXPECT_TRUE(IsSafeHeaderValue(header)) << header;
  EXPECT_NE(header.find("balance too low"), std::string::npos);
  EXPECT_EQ(Str(boost::json::parse(response.body).at("message")), message);
}

TEST(MakeErrorResponseTest, ControlCharactersAndDelAreSanitised) {
  const std::string message = std::string("tab\there nul") + '\0' + "del\x7f" + "end";
  ApiResponse response =
      MakeErrorResponse(MakeError(ErrorCode::kInvalidParameter, message), kRequestId);
  std::string header = OnlyHeader(response, "X-Bce-Error-Message");
  EXPECT_TRUE(IsSafeHeaderValue(header)) << header;
  EXPECT_EQ(header.find('\0'), std::string::npos);
}

TEST(MakeErrorResponseTest, LongMessageHeaderIsBounded) {
  const std::string message(100000, 'x');
  ApiResponse response =
      MakeErrorResponse(MakeError(ErrorCode::kInvalidParameter, message), kRequestId);
  EXPECT_LE(OnlyHeader(response, "X-Bce-Error-Message").size(), 8192u);
}

TEST(MakeErrorResponseTest, EmptyMessageStillProducesAllFields) {
  ApiResponse response = MakeErrorResponse(MakeError(ErrorCode::kInternalError, ""), kRequestId);
  EXPECT_EQ(response.status, 500);
  boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(Str(body.at("message")), "");
  EXPECT_EQ(OnlyHeader(response, "X-Bce-Error-Code"), "InternalError");
}

}  // namespace
}  // namespace cuplane::api
