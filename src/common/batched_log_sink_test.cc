#include "common/batched_log_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cuplane {
namespace {

using namespace std::chrono_literals;

// A pipe whose read end the test drains; the sink writes to its write end.
class Pipe {
 public:
  Pipe() {
    EXPECT_EQ(::pipe(fds_), 0);
    ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int write_end() const { return fds_[1]; }
  // What has arrived so far.
  std::string Drain() {
    char buffer[65536];
    while (true) {
      ssize_t n = ::read(fds_[0], buffer, sizeof buffer);
      if (n <= 0) break;
      got_.append(buffer, static_cast<std::size_t>(n));
    }
    return got_;
  }

 private:
  int fds_[2];
  std::string got_;
};

std::shared_ptr<spdlog::logger> LoggerOn(std::shared_ptr<BatchedLogSink> sink) {
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  return std::make_shared<spdlog::logger>("batched-test", std::move(sink));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(BatchedLogSinkTest, LinesArriveInOrderAfterTheLinger) {
  Pipe pipe;
  auto logger = LoggerOn(std::make_shared<BatchedLogSink>(pipe.write_end(), 20ms));
  for (int i = 0; i < 100; ++i) logger->info("line {}", i);
  std::string got;
  for (int wait = 0; wait < 200 && Lines(got).size() < 100; ++wait) {
    std::this_thread::sleep_for(5ms);
    got = pipe.Drain();
  }
  auto lines = Lines(got);
  ASSERT_EQ(lines.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(lines[i], "line " + std::to_string(i));
}

TEST(BatchedLogSinkTest, FlushAndDestructionWriteWhatIsWaiting) {
  Pipe pipe;
  auto logger = LoggerOn(std::make_shared<BatchedLogSink>(pipe.write_end(), 10s));
  logger->info("first");
  logger->flush();
  EXPECT_EQ(pipe.Drain(), "first\n");
  logger->info("second");
  logger.reset();  // the sink goes with its logger
  EXPECT_EQ(pipe.Drain(), "first\nsecond\n");
}

TEST(BatchedLogSinkTest, ChunksKeepLinesWholeWithinPipeBuf) {
  Pipe pipe;
  auto logger = LoggerOn(std::make_shared<BatchedLogSink>(pipe.write_end(), 10s));
  const std::string long_line(PIPE_BUF + 100, 'x');  // longer than one chunk: written alone
  for (int i = 0; i < 50; ++i) logger->info("{}-{}", i, std::string(150, 'y'));
  logger->info(long_line);
  logger->flush();
  auto lines = Lines(pipe.Drain());
  ASSERT_EQ(lines.size(), 51u);
  EXPECT_EQ(lines.back(), long_line);
  EXPECT_EQ(lines[49], "49-" + std::string(150, 'y'));
}

// Flushes (as at exit) while the writer thread is writing: both take the sink's two locks, and
// must in the same order. Taken in opposite orders they deadlocked, and this test hung.
TEST(BatchedLogSinkTest, FlushesWhileTheWriterWritesNeverDeadlock) {
  for (int round = 0; round < 10; ++round) {  // one round met the deadlock about every other run
    Pipe pipe;
    auto logger = LoggerOn(std::make_shared<BatchedLogSink>(pipe.write_end(), 0ms));
    std::thread drain([&] {
      for (int i = 0; i < 4000; ++i) pipe.Drain();
    });
    for (int i = 0; i < 4000; ++i) {
      logger->info("line {}", i);
      if (i % 2 == 0) logger->flush();
    }
    logger->flush();
    drain.join();
    auto lines = Lines(pipe.Drain());
    ASSERT_EQ(lines.size(), 4000u);
    EXPECT_EQ(lines.back(), "line 3999");
  }
}

TEST(BatchedLogSinkTest, BeyondTheBoundLinesAreDroppedAndCounted) {
  Pipe pipe;
  auto logger = LoggerOn(std::make_shared<BatchedLogSink>(pipe.write_end(), 10s, 100));
  for (int i = 0; i < 20; ++i) logger->info("0123456789");  // 11 bytes each: 9 fit in 100
  logger->flush();
  auto lines = Lines(pipe.Drain());
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(lines[8], "0123456789");
  EXPECT_EQ(lines[9], "request log: 11 line(s) dropped while the log's reader was not reading");
}

}  // namespace
}  // namespace cuplane
