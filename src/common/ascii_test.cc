#include "common/ascii.h"

#include <gtest/gtest.h>

namespace cuplane {
namespace {

TEST(EqualsIgnoreCaseTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("Month", "month"));
  EXPECT_TRUE(EqualsIgnoreCase("MONTH", "month"));
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Month", "Months"));
  EXPECT_FALSE(EqualsIgnoreCase("Month", "Year"));
}

TEST(ToLowerAsciiTest, LowersAToZOnly) {
  EXPECT_EQ(ToLowerAscii("X-Bce-Date"), "x-bce-date");
  EXPECT_EQ(ToLowerAscii("ABC-xyz_09"), "abc-xyz_09");
  EXPECT_EQ(ToLowerAscii("\xC3\x89"), "\xC3\x89");  // non-ASCII bytes as they are
  EXPECT_EQ(ToLowerAscii(""), "");
}

TEST(TrimAsciiSpaceTest, StripsTheCLocalesWhitespaceAtBothEnds) {
  EXPECT_EQ(TrimAsciiSpace(" \t\r\n\v\fhost\f\v\n\r\t "), "host");
  EXPECT_EQ(TrimAsciiSpace("a b"), "a b");  // inner whitespace stays
  EXPECT_EQ(TrimAsciiSpace(" \t "), "");
  EXPECT_EQ(TrimAsciiSpace(""), "");
  EXPECT_EQ(TrimAsciiSpace("\xA0x\xA0"), "\xA0x\xA0");  // only ASCII whitespace
}

}  // namespace
}  // namespace cuplane
