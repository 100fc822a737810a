#include "common/log_format.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>

#include "common/batched_log_sink.h"
#include "common/utf8.h"

namespace cuplane {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";

// {"time":"…","level":"…", then either "msg":"<the message, escaped>" or the message itself
// (already JSON fields), "}".
class JsonLineFormatter final : public spdlog::formatter {
 public:
  explicit JsonLineFormatter(bool payload_is_fields) : payload_is_fields_(payload_is_fields) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"time\":\"";
    AppendUtcMillis(line, msg.time);
    line += "\",\"level\":";
    auto level = spdlog::level::to_string_view(msg.level);
    AppendJsonString(line, std::string_view(level.data(), level.size()));
    line += ',';
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (payload_is_fields_) {
      line += payload;
    } else {
      line += "\"msg\":";
      AppendJsonString(line, payload);
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>(payload_is_fields_);
  }

 private:
  static void AppendUtcMillis(std::string& out, spdlog::log_clock::time_point time) {
    auto since_epoch = time.time_since_epoch();
    std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    out += buffer;
  }

  bool payload_is_fields_;
};

std::unique_ptr<spdlog::formatter> MakeFormatter(LogFormat format, bool payload_is_fields) {
  if (format == LogFormat::kJson) return std::make_unique<JsonLineFormatter>(payload_is_fields);
  return std::make_unique<spdlog::pattern_formatter>(kTextPattern,
                                                     spdlog::pattern_time_type::utc);
}

struct LoggingState {
  std::mutex mutex;
  LogFormat format = LogFormat::kText;             // GUARDED_BY(mutex) for writers
  std::shared_ptr<spdlog::logger> fields_logger;  // GUARDED_BY(mutex)
};

LoggingState& State() {
  static LoggingState* state = new LoggingState();  // never destroyed: used until exit
  return *state;
}

// The fields logger (the request log) writes through a sink of its own (a sink owns its
// formatter) to stderr, in batches (batched_log_sink.h): one line per request is the busiest
// log there is. Each chunk it writes is whole lines, so its lines and the default logger's stay
// whole on a shared stderr.
std::shared_ptr<spdlog::logger> MakeFieldsLogger(LogFormat format) {
  static const bool flushes_at_exit = std::atexit(FlushLogs) == 0;
  (void)flushes_at_exit;
  auto sink = std::make_shared<BatchedLogSink>(STDERR_FILENO);
  sink->set_formatter(MakeFormatter(format, /*payload_is_fields=*/true));
  return std::make_shared<spdlog::logger>("fields", std::move(sink));
}

}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

void ConfigureLogging(LogFormat format) {
  LoggingState& state = State();
  std::lock_guard lock(state.mutex);
  state.format = format;
  spdlog::default_logger_raw()->set_formatter(MakeFormatter(format, false));
  state.fields_logger = MakeFieldsLogger(format);
}

LogFormat CurrentLogFormat() {
  LoggingState& state = State();
  std::lock_guard lock(state.mutex);
  return state.format;
}

void FlushLogs() {
  LoggingState& state = State();
  std::lock_guard lock(state.mutex);
  if (state.fields_logger) state.fields_logger->flush();
}

spdlog::logger& FieldsLogger() {
  LoggingState& state = State();
  std::lock_guard lock(state.mutex);
  if (!state.fields_logger) state.fields_logger = MakeFieldsLogger(state.format);
  return *state.fields_logger;
}

void AppendJsonString(std::string& out, std::string_view text) {
  const bool valid_utf8 = IsValidUtf8(text);
  out += '"';
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || (byte >= 0x80 && !valid_utf8)) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace cuplane
