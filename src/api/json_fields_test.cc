#include "api/json_fields.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace cuplane::api {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kTwoTo62 = std::int64_t{1} << 62;

// The object parsed from `json`; fails the test when it does not parse.
boost::json::object Object(std::string_view json) {
  auto parsed = ParseBodyObject(json);
  EXPECT_TRUE(parsed.ok()) << json << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : boost::json::object();
}

// `depth` nested containers: an object holding depth - 1 nested arrays around a number.
std::string NestedBody(int depth) {
  std::string s = "{\"a\":";
  for (int i = 1; i < depth; ++i) s += "[";
  s += "1";
  for (int i = 1; i < depth; ++i) s += "]";
  return s + "}";
}

// The string `v` holds, or a marker that makes a comparison fail readably.
std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "<not a string: " + serialize(v) + ">";
}

template <typename T>
void ExpectInvalidParameter(const Result<T>& result, std::string_view field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidParameter);
  EXPECT_NE(result.error().message.find(field), std::string::npos)
      << "message '" << result.error().message << "' does not name " << field;
}

template <typename T>
void ExpectMalformed(const Result<T>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kMalformedJSON);
}

// --- ParseBodyObject -------------------------------------------------------------------------

TEST(ParseBodyObjectTest, EmptyBodyIsAnEmptyObject) {
  for (std::string_view body : {"", " ", "\r\n", " \t\r\n "}) {
    auto parsed = ParseBodyObject(body);
    ASSERT_TRUE(parsed.ok()) << "'" << body << "'";
    EXPECT_TRUE(parsed->empty());
  }
}

TEST(ParseBodyObjectTest, ParsesAnObject) {
  auto parsed = ParseBodyObject(R"({"serviceId": "svco-1", "replicasCount": 2})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Str(parsed->at("serviceId")), "svco-1");
  EXPECT_EQ(parsed->at("replicasCount").as_int64(), 2);
}

TEST(ParseBodyObjectTest, NonObjectIsMalformedJson) {
  for (std::string_view body : {"[]", "[{}]", "42", "\"text\"", "true", "null"}) {
    SCOPED_TRACE(body);
    ExpectMalformed(ParseBodyObject(body));
  }
}

TEST(ParseBodyObjectTest, InvalidJsonIsMalformedJson) {
  for (std::string_view body :
       {"{", "}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}", "{\"a\":1}{\"b\":2}", "{\"a\":1} x",
        "{\"a\":01}", "{\"a\":NaN}", "{\"a\":\"unterminated}", "{\"a\":1 /* c */}"}) {
    SCOPED_TRACE(body);
    ExpectMalformed(ParseBodyObject(body));
  }
}

TEST(ParseBodyObjectTest, NestingUpTo32Accepted) {
  EXPECT_TRUE(ParseBodyObject(NestedBody(32)).ok());
}

TEST(ParseBodyObjectTest, NestingDeeperThan32Rejected) {
  ExpectMalformed(ParseBodyObject(NestedBody(33)));
  ExpectMalformed(ParseBodyObject(NestedBody(10000)));  // must not exhaust the stack
}

TEST(ParseBodyObjectTest, InvalidUtf8IsInvalidParameterNamingTheFieldWhenRead) {
  for (const char* bad : {"\xff", "\xc0\xaf" /* overlong '/' */, "\xed\xa0\x80" /* surrogate */,
                          "\xe4\xbd" /* truncated */, "\xf4\x90\x80\x80" /* > U+10FFFF */}) {
    auto parsed = ParseBodyObject(std::string("{\"serviceId\":\"") + bad + "\"}");
    ASSERT_TRUE(parsed.ok()) << "the body itself is JSON";
    auto value = JsonFields(*parsed, "").RequiredString("serviceId", 128);
    ASSERT_FALSE(value.ok());
    EXPECT_EQ(value.error().code, ErrorCode::kInvalidParameter);
    EXPECT_NE(value.error().message.find("serviceId"), std::string::npos);
  }
  // A bad key is just an unknown field, and unknown fields are ignored.
  EXPECT_TRUE(ParseBodyObject("{\"\xff\":\"key\"}").ok());
}

TEST(ParseBodyObjectTest, ValidUtf8Accepted) {
  auto parsed = ParseBodyObject("{\"name\":\"\xe7\xae\x97\xe5\x8a\x9b\"}");  // 算力
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Str(parsed->at("name")), "\xe7\xae\x97\xe5\x8a\x9b");
}

// --- JsonFields: strings ---------------------------------------------------------------------

TEST(JsonFieldsStringTest, ReadsAString) {
  auto object = Object(R"({"serviceId": "svco-1"})");
  JsonFields fields(object, "");
  auto value = fields.RequiredString("serviceId", 128);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "svco-1");
}

TEST(JsonFieldsStringTest, NullCountsAsAbsent) {
  auto object = Object(R"({"paymentTiming": null})");
  JsonFields fields(object, "");
  auto optional = fields.OptionalString("paymentTiming", 16);
  ASSERT_TRUE(optional.ok());
  EXPECT_FALSE(optional->has_value());
  ExpectInvalidParameter(fields.RequiredString("paymentTiming", 16), "paymentTiming");
}

TEST(JsonFieldsStringTest, MissingRequiredIsNamed) {
  auto object = Object("{}");
  JsonFields fields(object, "");
  ExpectInvalidParameter(fields.RequiredString("serviceId", 128), "serviceId");
  auto optional = fields.OptionalString("serviceId", 128);
  ASSERT_TRUE(optional.ok());
  EXPECT_FALSE(optional->has_value());
}

TEST(JsonFieldsStringTest, EmptyRequiredStringCountsAsMissing) {
  auto object = Object(R"({"serviceId": ""})");
  JsonFields fields(object, "");
  ExpectInvalidParameter(fields.RequiredString("serviceId", 128), "serviceId");
}

TEST(JsonFieldsStringTest, WrongTypesRejected) {
  for (std::string_view json : {R"({"s": 5})", R"({"s": true})", R"({"s": {}})", R"({"s": []})",
                                R"({"s": ["a"]})", R"({"s": 1.5})"}) {
    SCOPED_TRACE(json);
    auto object = Object(json);
    JsonFields fields(object, "");
    ExpectInvalidParameter(fields.RequiredString("s", 128), "s");
    ExpectInvalidParameter(fields.OptionalString("s", 128), "s");
  }
}

TEST(JsonFieldsStringTest, MaxLengthIsInclusive) {
  auto object = Object(R"({"at": "abcd", "over": "abcde"})");
  JsonFields fields(object, "");
  EXPECT_TRUE(fields.RequiredString("at", 4).ok());
  ExpectInvalidParameter(fields.RequiredString("over", 4), "over");
  ExpectInvalidParameter(fields.OptionalString("over", 4), "over");
}

TEST(JsonFieldsStringTest, LengthCountsBytes) {
  auto object = Object("{\"s\":\"\xe7\xae\x97\xe5\x8a\x9b\"}");  // 2 characters, 6 bytes
  JsonFields fields(object, "");
  EXPECT_TRUE(fields.RequiredString("s", 6).ok());
  ExpectInvalidParameter(fields.RequiredString("s", 5), "s");
}

// --- JsonFields: integers --------------------------------------------------------------------

TEST(JsonFieldsIntTest, ReadsIntegersWithinRange) {
  auto object = Object(R"({"min": 1, "max": 12, "mid": 6})");
  JsonFields fields(object, "");
  EXPECT_EQ(fields.RequiredInt("min", 1, 12).value(), 1);
  EXPECT_EQ(fields.RequiredInt("max", 1, 12).value(), 12);
  EXPECT_EQ(fields.OptionalInt("mid", 1, 12).value(), 6);
}

TEST(JsonFieldsIntTest, OutOfRangeRejected) {
  auto object = Object(R"({"low": 0, "high": 13, "negative": -1})");
  JsonFields fields(object, "");
  ExpectInvalidParameter(fields.RequiredInt("low", 1, 12), "low");
  ExpectInvalidParameter(fields.RequiredInt("high", 1, 12), "high");
  ExpectInvalidParameter(fields.OptionalInt("negative", 1, 12), "negative");
}

TEST(JsonFieldsIntTest, WholeDoublesAcceptedAsIntegers) {
  auto object = Object(R"({"a": 5.0, "b": 5e0, "c": 50e-1, "d": -0.0})");
  JsonFields fields(object, "");
  EXPECT_EQ(fields.RequiredInt("a", 1, 12).value(), 5);
  EXPECT_EQ(fields.RequiredInt("b", 1, 12).value(), 5);
  EXPECT_EQ(fields.RequiredInt("c", 1, 12).value(), 5);
  EXPECT_EQ(fields.RequiredInt("d", 0, 12).value(), 0);
}

TEST(JsonFieldsIntTest, FractionsRejected) {
  auto object = Object(R"({"a": 1.5, "b": 0.1, "c": 12.000001})");
  JsonFields fields(object, "");
  ExpectInvalidParameter(fields.RequiredInt("a", 1, 12), "a");
  ExpectInvalidParameter(fields.RequiredInt("b", 0, 12), "b");
  ExpectInvalidParameter(fields.OptionalInt("c", 1, 100), "c");
}

TEST(JsonFieldsIntTest, TwoToThe62IsOutOfRange) {
  auto object = Object(R"({"n": 4611686018427387904, "d": 4.611686018427387904e18})");
  JsonFields fields(object, "");
  ExpectInvalidParameter(fields.RequiredInt("n", 1, 100000), "n");
  ExpectInvalidParameter(fields.RequiredInt("d", 1, 100000), "d");
  // Within int64 it is an integer, so a wide enough range takes it exactly.
  EXPECT_EQ(fields.RequiredInt("n", 1, kInt64Max).value(), kTwoTo62);
}

TEST(JsonFieldsIntTest, BeyondInt64Rejected) {
  auto object = Object(R"({"u": 18446744073709551615, "big": 1e300, "neg": -1e300})");
  JsonFields fields(object, "");
  ExpectInvalidParameter(fields.RequiredInt("u", 0, kInt64Max), "u");
  ExpectInvalidParameter(fields.RequiredInt("big", 0, kInt64Max), "big");
  ExpectInvalidParameter(fields.RequiredInt("neg", -kInt64Max, kInt64Max), "neg");
}

TEST(JsonFieldsIntTest, Int64ExtremesRead) {
  auto object = Object(R"({"max": 9223372036854775807, "min": -9223372036854775808})");
  JsonFields fields(object, "");
  EXPECT_EQ(fields.RequiredInt("max", 0, kInt64Max).value(), kInt64Max);
  EXPECT_EQ(fields.RequiredInt("min", std::numeric_limits<std::int64_t>::min(), 0).value(),
            std::numeric_limits<std::int64_t>::min());
}

TEST(JsonFieldsIntTest, WrongTypesRejected) {
  for (std::string_view json :
       {R"({"n": "1"})", R"({"n": true})", R"({"n": {}})", R"({"n": [1]})"}) {
    SCOPED_TRACE(json);
    auto object = Object(json);
    JsonFields fields(object, "");
    ExpectInvalidParameter(fields.RequiredInt("n", 1, 12), "n");
    ExpectInvalidParameter(fields.OptionalInt("n", 1, 12), "n");
  }
}

TEST(JsonFieldsIntTest, NullAndMissingCountAsAbsent) {
  auto object = Object(R"({"n": null})");
  JsonFields fields(object, "");
  auto from_null = fields.OptionalInt("n", 1, 12);
  ASSERT_TRUE(from_null.ok());
  EXPECT_FALSE(from_null->has_value());
  auto missing = fields.OptionalInt("other", 1, 12);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ExpectInvalidParameter(fields.RequiredInt("n", 1, 12), "n");
  ExpectInvalidParameter(fields.RequiredInt("other", 1, 12), "other");
}

// --- JsonFields: booleans --------------------------------------------------------------------

TEST(JsonFieldsBoolTest, ReadsBooleans) {
  auto object = Object(R"({"t": true, "f": false})");
  JsonFields fields(object, "");
  EXPECT_EQ(fields.OptionalBool("t").value(), std::optional<bool>(true));
  EXPECT_EQ(fields.OptionalBool("f").value(), std::optional<bool>(false));
}

TEST(JsonFieldsBoolTest, NullAndMissingCountAsAbsent) {
  auto object = Object(R"({"b": null})");
  JsonFields fields(object, "");
  EXPECT_EQ(fields.OptionalBool("b").value(), std::nullopt);
  EXPECT_EQ(fields.OptionalBool("other").value(), std::nullopt);
}

TEST(JsonFieldsBoolTest, WrongTypesRejected) {
  for (std::string_view json :
       {R"({"b": "true"})", R"({"b": 1})", R"({"b": 0})", R"({"b": {}})", R"({"b": []})"}) {
    SCOPED_TRACE(json);
    auto object = Object(json);
    JsonFields fields(object, "");
    ExpectInvalidParameter(fields.OptionalBool("b"), "b");
  }
}

// --- JsonFields: objects and nested names ----------------------------------------------------

TEST(JsonFieldsObjectTest, WrongTypesRejected) {
  for (std::string_view json : {R"({"o": "x"})", R"({"o": 1})", R"({"o": []})", R"({"o": true})"}) {
    SCOPED_TRACE(json);
    auto object = Object(json);
    JsonFields fields(object, "");
    ExpectInvalidParameter(fields.RequiredObject("o"), "o");
    ExpectInvalidParameter(fields.OptionalObject("o"), "o");
  }
}

TEST(JsonFieldsObjectTest, NullAndMissingCountAsAbsent) {
  auto object = Object(R"({"o": null})");
  JsonFields fields(object, "");
  auto from_null = fields.OptionalObject("o");
  ASSERT_TRUE(from_null.ok());
  EXPECT_FALSE(from_null->has_value());
  ExpectInvalidParameter(fields.RequiredObject("o"), "o");
  ExpectInvalidParameter(fields.RequiredObject("other"), "other");
}

TEST(JsonFieldsObjectTest, NestedFieldsNameTheirPath) {
  auto object = Object(R"({"billing": {"reservation": {"reservationLength": 13}}})");
  JsonFields top(object, "");
  auto billing = top.RequiredObject("billing");
  ASSERT_TRUE(billing.ok());
  auto reservation = billing->RequiredObject("reservation");
  ASSERT_TRUE(reservation.ok());
  EXPECT_EQ(reservation->Name("reservationLength"), "billing.reservation.reservationLength");
  ExpectInvalidParameter(reservation->RequiredInt("reservationLength", 1, 12),
                         "billing.reservation.reservationLength");
  ExpectInvalidParameter(reservation->RequiredString("reservationTimeUnit", 16),
                         "billing.reservation.reservationTimeUnit");
  ExpectInvalidParameter(billing->RequiredString("paymentTiming", 16), "billing.paymentTiming");
}

TEST(JsonFieldsObjectTest, MissingNestedObjectNamesItsPath) {
  auto object = Object(R"({"billing": {"paymentTiming": "Prepaid"}})");
  JsonFields top(object, "");
  auto billing = top.RequiredObject("billing");
  ASSERT_TRUE(billing.ok());
  ExpectInvalidParameter(billing->RequiredObject("reservation"), "billing.reservation");
}

TEST(JsonFieldsObjectTest, NameWithExplicitPath) {
  auto object = Object("{}");
  EXPECT_EQ(JsonFields(object, "").Name("serviceId"), "serviceId");
  EXPECT_EQ(JsonFields(object, "billing").Name("paymentTiming"), "billing.paymentTiming");
}

TEST(JsonFieldsObjectTest, UnknownFieldsAreIgnored) {
  auto object = Object(R"({"serviceId": "s", "extra": {"deep": [1, 2, 3]}, "x": null})");
  JsonFields fields(object, "");
  EXPECT_EQ(fields.RequiredString("serviceId", 128).value(), "s");
}

}  // namespace
}  // namespace cuplane::api
