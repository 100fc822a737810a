// One log line per API request (time, requestId, access key id, Action, HTTP status, code,
// latency), in the format chosen with --log-format:
//   text  2026-12-01T19:00:00.123Z info request requestId=… accessKey=ak-1 action=…
//         status=200 code=OK latencyMs=1.234
//   json  {"time":"…","level":"info","msg":"request","requestId":"…","accessKey":"ak-1",
//          "action":"…","status":200,"code":"OK","latencyMs":1.234}
// Only what RequestOutcome holds is written: never a secret key, a signature or a body.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "common/log_format.h"

namespace spdlog {
class logger;
}

namespace cuplane::web {

class RequestLog {
 public:
  // Takes the format and logger as configured now (ConfigureLogging first).
  RequestLog();

  void Write(const api::RequestOutcome& outcome, std::string_view action, int status,
             std::chrono::nanoseconds latency) const;

  // The line's fields in `format` (what Write logs after the time and level).
  static std::string Fields(LogFormat format, const api::RequestOutcome& outcome,
                            std::string_view action, int status,
                            std::chrono::nanoseconds latency);

 private:
  LogFormat format_;
  spdlog::logger* logger_;
};

}  // namespace cuplane::web
