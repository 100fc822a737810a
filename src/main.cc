// cuplane: a control plane for GPU/CPU compute units, wire-compatible with Qianfan's APIs.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "cli/backup_command.h"
#include "cli/client_commands.h"
#include "cli/command_list.h"
#include "cli/operator_key_command.h"
#include "cli/serve_command.h"

namespace {

void AddStoreLocationOptions(CLI::App* cmd, cuplane::cli::StoreLocation& location) {
  cmd->add_option("--data-dir", location.data_dir, "directory of the embedded SQLite store")
      ->capture_default_str();
  cmd->add_option("--store", location.store_url,
                  "sqlite:PATH, a postgresql:// URL, or memory (nothing kept; for tests)");
  cmd->add_option("--secret-key-file", location.secret_key_file,
                  "key that seals secret keys at rest (default DATA_DIR/secret.key)");
}

CLI::App* AddServeCommand(CLI::App& app, cuplane::cli::ServeOptions& serve) {
  CLI::App* cmd = app.add_subcommand("serve", "run the API server");
  AddStoreLocationOptions(cmd, serve.location);
  cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--bootstrap", serve.bootstrap_file, "JSON file applied at start-up");
  cmd->add_option("--clock", serve.clock, "system or virtual")->capture_default_str();
  cmd->add_option("--provision-delay", serve.provision_delay, "Creating -> Running delay")
      ->capture_default_str();
  cmd->add_option("--deploy-delay", serve.deploy_delay,
                  "how long a service's scale or deactivation takes")
      ->capture_default_str();
  cmd->add_option("--local-offset", serve.local_offset,
                  "UTC offset for \"YYYY-MM-DD HH:MM:SS\" times")
      ->capture_default_str();
  cmd->add_option("--settlement-period", serve.settlement_period,
                  "how often Postpaid usage is settled")
      ->capture_default_str();
  cmd->add_option("--arrears-grace", serve.arrears_grace,
                  "arrears -> Postpaid units released after")
      ->capture_default_str();
  cmd->add_option("--list-retention", serve.list_retention,
                  "how long released units are listed as Deleted")
      ->capture_default_str();
  cmd->add_option("--store-timeout", serve.store_timeout,
                  "longest wait for the store before a request is answered 503")
      ->capture_default_str();
  cmd->add_option("--in-doubt-timeout", serve.in_doubt_timeout,
                  "longest wait for the outcome of a write whose COMMIT reply was lost")
      ->capture_default_str();
  cmd->add_option("--io-threads", serve.io_threads, "I/O threads (0: one per core)");
  cmd->add_option("--workers", serve.worker_threads, "request worker threads (0: auto)");
  cmd->add_option("--read-workers", serve.read_workers,
                  "worker threads for Describe* calls (0: auto)");
  cmd->add_option("--max-connections", serve.max_connections, "connection cap")
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", serve.max_body_bytes, "request body limit")
      ->capture_default_str();
  cmd->add_option("--read-rate", serve.read_rate, "reads per second per access key (0: off)")
      ->capture_default_str();
  cmd->add_option("--read-burst", serve.read_burst, "read burst per access key")
      ->capture_default_str();
  cmd->add_option("--write-rate", serve.write_rate, "writes per second per access key (0: off)")
      ->capture_default_str();
  cmd->add_option("--write-burst", serve.write_burst, "write burst per access key")
      ->capture_default_str();
  cmd->add_option("--log-format", serve.log_format, "text or json (one line per request)")
      ->capture_default_str();
  cmd->add_option("--tls-cert", serve.tls_cert_file,
                  "PEM certificate (chain) for HTTPS; with --tls-key");
  cmd->add_option("--tls-key", serve.tls_key_file, "PEM private key of --tls-cert");
  return cmd;
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr; stdout carries what scripts read (the listening line, keys, results).
  spdlog::set_default_logger(spdlog::stderr_color_mt("cuplane"));

  CLI::App app{"cuplane: a control plane for GPU/CPU compute units (Qianfan-compatible)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");

  cuplane::cli::ServeOptions serve;
  CLI::App* serve_cmd = AddServeCommand(app, serve);

  cuplane::cli::StoreLocation key_location;
  bool key_json = false;
  CLI::App* key_cmd = app.add_subcommand("operator-key", "operator keys (offline)");
  key_cmd->require_subcommand(1);
  CLI::App* key_create = key_cmd->add_subcommand(
      "create", "mint an operator key in the store; run it while the server is stopped");
  AddStoreLocationOptions(key_create, key_location);
  key_create->add_flag("--json", key_json, "print {accessKey, secretKey} as JSON");

  cuplane::cli::StoreLocation backup_location;
  std::string backup_file;
  CLI::App* backup_cmd = app.add_subcommand(
      "backup", "write a consistent copy of a SQLite store to FILE, also while servers run");
  AddStoreLocationOptions(backup_cmd, backup_location);
  backup_cmd->add_option("FILE", backup_file, "the copy (replaced only by a complete one)")
      ->required();

  std::function<int()> run_client_command = cuplane::cli::AddClientCommands(app);

  CLI::App* help_cmd = app.add_subcommand("help", "list the commands");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; every real usage error exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (help_cmd->parsed()) {
    // app.help() would describe the parsed command, i.e. `help` itself.
    cuplane::cli::PrintCommandList(app, std::cout);
    return 0;
  }
  if (serve_cmd->parsed()) return cuplane::cli::RunServe(serve);
  if (key_create->parsed()) return cuplane::cli::RunOperatorKeyCreate(key_location, key_json);
  if (backup_cmd->parsed()) return cuplane::cli::RunBackup(backup_location, backup_file);
  return run_client_command();
}
