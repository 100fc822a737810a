// cuplane: a control plane for GPU/CPU compute units, wire-compatible with Qianfan's APIs.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "cli/serve_command.h"

int main(int argc, char** argv) {
  // Logs go to stderr; stdout carries what scripts read (the listening line, demo keys).
  spdlog::set_default_logger(spdlog::stderr_color_mt("cuplane"));

  CLI::App app{"cuplane: a control plane for GPU/CPU compute units (Qianfan-compatible)"};
  app.require_subcommand(1);

  cuplane::cli::ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "run the API server");
  serve_cmd->add_option("--data-dir", serve.data_dir, "directory of the embedded SQLite store")
      ->capture_default_str();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any)")
      ->capture_default_str();
  serve_cmd->add_option("--store", serve.store_url, "sqlite:PATH or a postgresql:// URL");
  serve_cmd->add_option("--bootstrap", serve.bootstrap_file, "JSON file applied at start-up");
  serve_cmd->add_option("--clock", serve.clock, "system or virtual")->capture_default_str();
  serve_cmd->add_option("--provision-delay", serve.provision_delay, "Creating -> Running delay")
      ->capture_default_str();
  serve_cmd
      ->add_option("--local-offset", serve.local_offset,
                   "UTC offset for \"YYYY-MM-DD HH:MM:SS\" times")
      ->capture_default_str();
  serve_cmd
      ->add_option("--settlement-period", serve.settlement_period,
                   "how often Postpaid usage is settled")
      ->capture_default_str();
  serve_cmd
      ->add_option("--arrears-grace", serve.arrears_grace,
                   "arrears -> Postpaid units released after")
      ->capture_default_str();
  serve_cmd
      ->add_option("--list-retention", serve.list_retention,
                   "how long released units are listed as Deleted")
      ->capture_default_str();
  serve_cmd->add_option("--io-threads", serve.io_threads, "I/O threads (0: one per core)");
  serve_cmd->add_option("--workers", serve.worker_threads, "request worker threads (0: auto)");
  serve_cmd->add_option("--max-connections", serve.max_connections, "connection cap")
      ->capture_default_str();
  serve_cmd->add_option("--max-body-bytes", serve.max_body_bytes, "request body limit")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (serve_cmd->parsed()) return cuplane::cli::RunServe(serve);
  return 2;
}
