// What every request handler may reach: the long-lived parts of a running server, and the
// per-call facts (who is calling, at what time, with which query parameters).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/api_types.h"
#include "api/json_fields.h"
#include "auth/signature_verifier.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/secret_box.h"
#include "core/bootstrap.h"
#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::scheduler {
class Scheduler;
}

namespace cuplane::api {

struct ServerContext {
  store::Store& store;
  const Clock& clock;  // the business time: virtual under --clock virtual
  // Signature validity windows are checked against real time even on a virtual clock: SDKs
  // sign with the wall clock, and a replay window must mean real seconds.
  const Clock& wall_clock;
  const SecretBox& secrets;  // opens the sealed secret keys in the store
  scheduler::Scheduler& scheduler;
  core::LifecycleConfig lifecycle;
  int local_offset_seconds = 8 * 3600;  // how "YYYY-MM-DD HH:MM:SS" is read (--local-offset)
  auth::VerifyOptions verify;
  // What Reset applies again: the bootstrap file, or the demo. nullptr: Reset is refused.
  const core::BootstrapSpec* reset_spec = nullptr;
  // How long a request may take to get what it needs from the store, counted from its arrival
  // (SPEC §7: a stuck store is answered with a 503 in this time).
  std::chrono::milliseconds store_deadline{5000};
};

struct CallContext {
  const ServerContext& server;
  core::Principal principal;
  std::vector<std::pair<std::string, std::string>> query;  // decoded parameters
  UnixSeconds now = 0;
  // Where the request's JSON lives (its body, and a handler's result if it builds it here): an
  // arena for the request, freed at once when the answer has been written out.
  boost::json::storage_ptr json;

  // The first query parameter named `key`, or nullptr.
  const std::string* QueryParam(std::string_view key) const {
    for (const auto& [k, v] : query) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

using Handler = Result<boost::json::value> (*)(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
