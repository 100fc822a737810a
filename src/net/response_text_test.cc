#include "net/response_text.h"

#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace cuplane::net {
namespace {

namespace http = boost::beast::http;

api::ApiResponse Sample() {
  api::ApiResponse response;
  response.status = 400;
  response.headers = {{"Content-Type", "application/json"},
                      {"x-bce-request-id", "r-1"},
                      {"X-Bce-Error-Code", "InvalidParameter"}};
  response.body = R"({"code":"InvalidParameter"})";
  return response;
}

// What Beast's own parser (as clients' HTTP stacks would) makes of the bytes.
http::response<http::string_body> Parsed(const std::string& text) {
  http::response_parser<http::string_body> parser;
  boost::beast::error_code ec;
  parser.eager(true);
  std::size_t used = parser.put(boost::asio::buffer(text), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, text.size());
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(ResponseTextTest, AKeptAliveHttp11ResponseParsesWithItsHeadersAndBody) {
  std::string out;
  WriteResponseText(Sample(), 11, true, out);
  EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
  auto message = Parsed(out);
  EXPECT_EQ(message.result_int(), 400);
  EXPECT_EQ(message[http::field::server], "cuplane");
  EXPECT_EQ(message[http::field::content_type], "application/json");
  EXPECT_EQ(message["x-bce-request-id"], "r-1");
  EXPECT_EQ(message.body(), R"({"code":"InvalidParameter"})");
  EXPECT_TRUE(message.keep_alive());
}

TEST(ResponseTextTest, ConnectionHeaderFollowsTheVersionsDefault) {
  std::string out;
  WriteResponseText(Sample(), 11, false, out);
  EXPECT_FALSE(Parsed(out).keep_alive());
  WriteResponseText(Sample(), 10, true, out);
  EXPECT_EQ(out.rfind("HTTP/1.0 400", 0), 0u);
  EXPECT_TRUE(Parsed(out).keep_alive());
  WriteResponseText(Sample(), 10, false, out);
  EXPECT_FALSE(Parsed(out).keep_alive());
}

TEST(ResponseTextTest, HeadersThatWouldSplitTheResponseAreLeftOut) {
  api::ApiResponse response = Sample();
  response.headers.push_back({"X-Evil", "a\r\nSet-Cookie: x=1"});
  response.headers.push_back({"X-Bad\r\nName", "v"});
  std::string out;
  WriteResponseText(response, 11, true, out);
  EXPECT_EQ(out.find("Set-Cookie"), std::string::npos);
  EXPECT_EQ(out.find("X-Evil"), std::string::npos);
  EXPECT_EQ(out.find("X-Bad"), std::string::npos);
  Parsed(out);
}

TEST(ResponseTextTest, ANameGivenTwiceKeepsItsLastValueAndTheTransportOwnsLength) {
  api::ApiResponse response = Sample();
  response.headers.push_back({"content-type", "text/plain"});
  response.headers.push_back({"Content-Length", "999"});
  std::string out;
  WriteResponseText(response, 11, true, out);
  auto message = Parsed(out);
  EXPECT_EQ(message[http::field::content_type], "text/plain");
  EXPECT_EQ(message[http::field::content_length], std::to_string(response.body.size()));
  EXPECT_EQ(out.find("999"), std::string::npos);
}

TEST(ResponseTextTest, AnEmptyBodyHasALengthOfZero) {
  api::ApiResponse response;
  response.status = 503;
  std::string out;
  WriteResponseText(response, 11, true, out);
  auto message = Parsed(out);
  EXPECT_EQ(message[http::field::content_length], "0");
  EXPECT_EQ(message.reason(), "Service Unavailable");
}

}  // namespace
}  // namespace cuplane::net
