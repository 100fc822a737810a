// Per-access-key throttling (429 RequestLimitExceeded), reads and writes counted apart.
#include <gtest/gtest.h>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

class ThrottlingTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--provision-delay", "0",    "--write-rate", "0.01", "--write-burst", "2",
            "--read-rate",       "0.01", "--read-burst", "3"};
  }
};

TEST_F(ThrottlingTest, EachKeyGetsItsBurstOfReadsAndWritesThen429) {
  auto admin = Admin();
  for (int i = 0; i < 2; ++i) {
    auto r =
        CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-a", 1));
    EXPECT_EQ(r.status, 200) << r.body;
  }
  auto throttled =
      CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-a", 1));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(ErrorCodeOf(throttled), "RequestLimitExceeded");

  // Reads have their own budget.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        CallOk(admin, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}})
            .status,
        200);
  }
  EXPECT_EQ(ErrorCodeOf(CallOk(admin, "/v2/serviceresources", "DescribeComputeUnits",
                               {{"serviceId", "svc-a"}})),
            "RequestLimitExceeded");

  // Another key of the same account is unaffected.
  auto ops = Client("a-ops", "a-ops-sk");
  EXPECT_EQ(CallOk(ops, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-a", 1))
                .status,
            200);
}

}  // namespace
}  // namespace cuplane::testing
