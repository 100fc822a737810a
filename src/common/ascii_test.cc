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

}  // namespace
}  // namespace cuplane
