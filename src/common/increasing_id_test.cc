#include "common/increasing_id.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cuplane {
namespace {

TEST(IncreasingIdTest, IdsHaveTheShapeOfRandomOnesAndEachSortsAfterTheLast) {
  IncreasingId ids(7, 5);
  std::string last = ids.Next();
  for (int i = 0; i < 10000; ++i) {
    std::string id = ids.Next();
    ASSERT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{12}"))) << id;
    // [0-9] sorts before [a-z] in ASCII, as the digits of the counter are ordered.
    ASSERT_LT(last, id);
    last = id;
  }
}

TEST(IncreasingIdTest, TwoSequencesStartAtDifferentRandomPointsAndNeverMeet) {
  IncreasingId a(7, 5);
  IncreasingId b(7, 5);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(seen.insert(a.Next()).second);
    ASSERT_TRUE(seen.insert(b.Next()).second);
  }
  // The counters (first 7 characters) of two fresh sequences differ: each starts at random.
  EXPECT_NE(IncreasingId(7, 5).Next().substr(0, 7), IncreasingId(7, 5).Next().substr(0, 7));
}

TEST(IncreasingIdTest, ConcurrentCallersGetDistinctIds) {
  IncreasingId ids(9, 7);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (auto& mine : got) {
    threads.emplace_back([&ids, &mine] {
      for (int i = 0; i < 2000; ++i) mine.push_back(ids.Next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& mine : got) {
    for (std::size_t i = 0; i < mine.size(); ++i) {
      EXPECT_EQ(mine[i].size(), 16u);
      EXPECT_TRUE(all.insert(mine[i]).second) << mine[i];
      if (i > 0) {
        EXPECT_LT(mine[i - 1], mine[i]) << "each caller's ids increase too";
      }
    }
  }
}

TEST(IncreasingIdTest, ACounterAtItsEndStartsAgainAndKeepsTheShape) {
  IncreasingId ids(1, 3);  // 36 counter values: starts in the first 18, so ends within 36 ids
  for (int i = 0; i < 200; ++i) {
    std::string id = ids.Next();
    ASSERT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{4}"))) << id;
  }
}

TEST(IncreasingIdTest, RefusesACounterThatDoesNotFitSixtyFourBits) {
  EXPECT_THROW(IncreasingId(0, 5), std::invalid_argument);
  EXPECT_THROW(IncreasingId(13, 5), std::invalid_argument);
}

}  // namespace
}  // namespace cuplane
