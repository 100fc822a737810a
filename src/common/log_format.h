// How cuplane's log lines look (--log-format): readable text, or one JSON object per line for
// log shippers. Every line of the process goes to stderr in the chosen format; stdout stays
// for what scripts read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace cuplane {

enum class LogFormat { kText, kJson };

// "text" or "json"; nullopt otherwise.
std::optional<LogFormat> ParseLogFormat(std::string_view text);

// From now on every log line is written in `format`:
//   text  2026-12-01T19:00:00.123Z info message
//   json  {"time":"2026-12-01T19:00:00.123Z","level":"info","msg":"message"}
// Call once at start-up, before other threads log.
void ConfigureLogging(LogFormat format);

// The format ConfigureLogging was given (text before it is called).
LogFormat CurrentLogFormat();

// The logger of events that carry fields (one line per API request). Its messages are
// pre-formatted by the caller for CurrentLogFormat(): `event key=value key=value` in text,
// `"msg":"event","key":value,...` in JSON, which it writes after the time and level (JSON:
// inside the line's object).
spdlog::logger& FieldsLogger();

// Writes every line still waiting in a batch (FieldsLogger's lines wait up to 50 ms). Runs at
// exit too; call it before a deliberate _exit or abort.
void FlushLogs();

// `text` as a JSON string literal, quotes included. A text that is not valid UTF-8 has each
// byte above 0x7f written as \u00XX, so a line stays valid JSON whatever was logged.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace cuplane
