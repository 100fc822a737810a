// `cuplane serve` (SPEC §6 command line): open the store, apply the bootstrap file (or create
// the demo on an empty store), start the scheduler and the HTTP server, stop on SIGTERM/SIGINT.
#pragma once

#include <cstdint>
#include <string>

#include "cli/store_location.h"

namespace cuplane::cli {

struct ServeOptions {
  StoreLocation location;
  std::string listen = "127.0.0.1:8866";
  std::string bootstrap_file;
  std::string clock = "system";
  std::string provision_delay = "1s";
  std::string deploy_delay = "1s";
  std::string local_offset = "+08:00";
  std::string settlement_period = "1h";
  std::string arrears_grace = "24h";
  std::string list_retention = "7d";
  std::string store_timeout = "5s";     // each store call, and a request's wait for the store
  std::string in_doubt_timeout = "5m";  // the wait for the outcome of a COMMIT whose reply was lost
  int io_threads = 0;      // 0: one per core
  int worker_threads = 0;  // 0: derived from cores
  int read_workers = 0;    // threads of the read lane; 0: derived from cores and the store
  int max_connections = 1024;
  // Per-access-key request rates (requests/second) and bursts; a rate of 0 turns it off.
  double read_rate = 1000, read_burst = 2000, write_rate = 200, write_burst = 400;
  std::int64_t max_body_bytes = 1024 * 1024;
  std::string log_format = "text";  // text | json
  std::string tls_cert_file;         // both set: HTTPS (PEM files)
  std::string tls_key_file;
};

// Runs until a stop signal. Returns the process exit code; reports bad options on stderr.
int RunServe(const ServeOptions& options);

}  // namespace cuplane::cli
