#include "web/request_log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cuplane::web {
namespace {

api::RequestOutcome Outcome() {
  api::RequestOutcome o;
  o.request_id = "7f1c0b8e-0000-4000-8000-000000000001";
  o.access_key = "ak-123";
  o.error = ErrorCode::kSignatureDoesNotMatch;
  return o;
}

TEST(RequestLogTest, JsonFieldsCarryEveryPart) {
  std::string fields = RequestLog::Fields(LogFormat::kJson, Outcome(), "DescribeComputeUnit", 400,
                                          std::chrono::microseconds(1234));
  auto line = boost::json::parse("{" + fields + "}").as_object();
  EXPECT_EQ(line.at("msg"), "request");
  EXPECT_EQ(line.at("requestId"), "7f1c0b8e-0000-4000-8000-000000000001");
  EXPECT_EQ(line.at("accessKey"), "ak-123");
  EXPECT_EQ(line.at("action"), "DescribeComputeUnit");
  EXPECT_EQ(line.at("status"), 400);
  EXPECT_EQ(line.at("code"), "SignatureDoesNotMatch");
  EXPECT_DOUBLE_EQ(line.at("latencyMs").to_number<double>(), 1.234);
}

TEST(RequestLogTest, TextFieldsAreSingleTokens) {
  api::RequestOutcome o = Outcome();
  o.access_key = "a\"b c\\d";  // what a hostile header could try
  o.error.reset();
  std::string fields = RequestLog::Fields(LogFormat::kText, o, "unknown", 200,
                                          std::chrono::milliseconds(2));
  EXPECT_EQ(fields,
            "request requestId=7f1c0b8e-0000-4000-8000-000000000001 accessKey=a?b?c?d "
            "action=unknown status=200 code=OK latencyMs=2.000");
  o.access_key.clear();
  EXPECT_NE(RequestLog::Fields(LogFormat::kText, o, "unknown", 200, {}).find("accessKey=- "),
            std::string::npos);
}

TEST(AppendJsonStringTest, EscapesAndStaysValidJsonForAnyBytes) {
  std::string out;
  AppendJsonString(out, "q\" b\\ \n\x01 é");
  EXPECT_EQ(out, "\"q\\\" b\\\\ \\u000a\\u0001 é\"");
  EXPECT_EQ(boost::json::parse(out).as_string(), "q\" b\\ \n\x01 é");
  std::string invalid;
  AppendJsonString(invalid, std::string("bad \xff\xfe utf-8"));
  EXPECT_EQ(invalid, "\"bad \\u00ff\\u00fe utf-8\"");
  EXPECT_NO_THROW(boost::json::parse(invalid));
}

}  // namespace
}  // namespace cuplane::web
