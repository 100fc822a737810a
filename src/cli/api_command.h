// The shape every client command shares: parse flags, build one API request, send it signed,
// then show the result (a person's view, or the result JSON with --json) or the error.
// Commands register here once; the registry gives each the common flags and runs the one
// that was parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/endpoint.h"

namespace cuplane::cli {

// Exit codes of the client commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the server refused, or could not be reached
inline constexpr int kExitUsage = 2;   // the command line cannot work (e.g. no credentials)

struct ApiRequest {
  std::string path;    // e.g. "/v1/operator"
  std::string action;  // e.g. "CreateAccount"
  boost::json::object body;
};

// A request to the operator API (POST /v1/operator?Action=...).
ApiRequest OperatorRequest(std::string action, boost::json::object body = {});

// Shows a successful result to a person. (--json needs nothing per command.)
using ResultPrinter = std::function<void(const boost::json::value& result, std::ostream& out)>;

class CommandRegistry {
 public:
  CommandRegistry() = default;
  // The commands' options are bound to members, so the registry must stay where it is.
  CommandRegistry(const CommandRegistry&) = delete;
  CommandRegistry& operator=(const CommandRegistry&) = delete;

  // A command that only groups others ("account"); one of them must be given.
  static CLI::App* AddGroup(CLI::App& app, const std::string& name, const std::string& description);

  // Adds command `name` under `parent` with --endpoint, --access-key, --secret-key and
  // --json, and returns it so the caller can add its own options. `build` runs after
  // parsing, so it reads the variables bound to those options.
  CLI::App* Add(CLI::App* parent, const std::string& name, const std::string& description,
                std::function<ApiRequest()> build, ResultPrinter print);

  // Runs the command that was parsed and returns its exit code; kExitUsage when none was.
  int RunParsed() const;

 private:
  struct Command {
    CLI::App* app;
    std::function<ApiRequest()> build;
    ResultPrinter print;
  };

  std::vector<Command> commands_;
  ConnectionFlags connection_flags_;  // shared: only one command is parsed per run
  bool json_ = false;
};

// Sends `request` and reports the outcome: the result on stdout (serialised JSON when `json`,
// else through `print`); on failure `error: <Code>: <message>` or `error: cannot reach ...` on
// stderr. Returns the exit code.
int RunApiRequest(const Connection& connection, const ApiRequest& request, bool json,
                  const ResultPrinter& print);

}  // namespace cuplane::cli
