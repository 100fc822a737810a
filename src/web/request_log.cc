#include "web/request_log.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "web/request_metrics.h"

namespace cuplane::web {
namespace {

// Text values are single tokens: anything but visible ASCII (and the quote and backslash a
// log parser would trip on) becomes '?'. Access key ids are visible ASCII already.
void AppendToken(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += '-';
    return;
  }
  for (char c : value) out += c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?';
}

std::string Millis(std::chrono::nanoseconds latency) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(latency.count()) / 1e6);
  return buffer;
}

}  // namespace

RequestLog::RequestLog() : format_(CurrentLogFormat()), logger_(&FieldsLogger()) {}

std::string RequestLog::Fields(LogFormat format, const api::RequestOutcome& outcome,
                               std::string_view action, int status,
                               std::chrono::nanoseconds latency) {
  const bool json = format == LogFormat::kJson;
  std::string out = json ? "\"msg\":\"request\"" : "request";
  out.reserve(192);
  auto key = [&](std::string_view name) {
    out += json ? ",\"" : " ";
    out += name;
    out += json ? "\":" : "=";
  };
  auto text = [&](std::string_view name, std::string_view value) {
    key(name);
    json ? AppendJsonString(out, value) : AppendToken(out, value);
  };
  auto number = [&](std::string_view name, const std::string& value) {
    key(name);
    out += value;
  };
  text("requestId", outcome.request_id);
  text("accessKey", outcome.access_key);
  text("action", action);
  number("status", std::to_string(status));
  text("code", outcome.error ? ErrorCodeName(*outcome.error) : RequestMetrics::kSuccessCode);
  number("latencyMs", Millis(latency));
  return out;
}

void RequestLog::Write(const api::RequestOutcome& outcome, std::string_view action, int status,
                       std::chrono::nanoseconds latency) const {
  logger_->info(Fields(format_, outcome, action, status, latency));
}

}  // namespace cuplane::web
