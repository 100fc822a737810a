#include "net/inline_read_gate.h"

#include <gtest/gtest.h>

namespace cuplane::net {
namespace {

using namespace std::chrono_literals;
using Clock = InlineReadGate::Clock;

const Clock::time_point kStart = Clock::time_point{} + 1000s;

TEST(InlineReadGateTest, QuickReadsKeepTheGateOpen) {
  InlineReadGate gate(2, 20ms, 5s);
  for (int i = 0; i < 100; ++i) {
    auto now = kStart + i * 1ms;
    ASSERT_TRUE(gate.TryEnter(i % 2, now));
    gate.Leave(i % 2, now + 500us);
  }
  EXPECT_TRUE(gate.open(kStart + 1s));
}

TEST(InlineReadGateTest, ASlowReadSendsReadsToTheLaneUntilTheBackOffIsOver) {
  InlineReadGate gate(2, 20ms, 5s);
  ASSERT_TRUE(gate.TryEnter(0, kStart));
  gate.Leave(0, kStart + 21ms);
  EXPECT_FALSE(gate.TryEnter(0, kStart + 22ms));
  EXPECT_FALSE(gate.TryEnter(1, kStart + 4s));
  EXPECT_TRUE(gate.TryEnter(1, kStart + 21ms + 5s));
}

TEST(InlineReadGateTest, AReadStuckOnAnotherThreadClosesTheGateBeforeItEnds) {
  InlineReadGate gate(2, 20ms, 5s);
  ASSERT_TRUE(gate.TryEnter(0, kStart));  // never returns, as on a disk that stopped
  EXPECT_TRUE(gate.TryEnter(1, kStart + 10ms));  // not yet known to be stuck
  gate.Leave(1, kStart + 11ms);
  EXPECT_FALSE(gate.TryEnter(1, kStart + 30ms));
  EXPECT_FALSE(gate.open(kStart + 30ms + 4s));
}

TEST(InlineReadGateTest, AReadJustUnderTheLimitIsNotSlow) {
  InlineReadGate gate(1, 20ms, 5s);
  ASSERT_TRUE(gate.TryEnter(0, kStart));
  gate.Leave(0, kStart + 20ms);
  EXPECT_TRUE(gate.TryEnter(0, kStart + 21ms));
}

}  // namespace
}  // namespace cuplane::net
