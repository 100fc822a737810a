#include "cli/api_command.h"

#include <iostream>

namespace cuplane::cli {
namespace {

namespace json = boost::json;

// Longest piece of a non-API body (a proxy's error page, say) worth echoing.
constexpr size_t kMaxBodyEcho = 200;

// A non-200 response: the API's {code, message} when it is one, else the status and body.
int ReportFailure(const Connection& connection, const client::HttpResponse& response) {
  json::value body = response.Json();
  const json::object* error = body.if_object();
  if (error && error->contains("code") && error->at("code").is_string()) {
    std::string message;
    if (const json::value* m = error->if_contains("message"); m && m->is_string()) {
      message = m->as_string();
    }
    std::cerr << "error: " << error->at("code").as_string().c_str() << ": " << message << "\n";
    return kExitFailed;
  }
  std::cerr << "error: " << connection.endpoint << " answered HTTP " << response.status << ": "
            << response.body.substr(0, kMaxBodyEcho) << "\n";
  return kExitFailed;
}

}  // namespace

ApiRequest OperatorRequest(std::string action, json::object body) {
  return ApiRequest{"/v1/operator", std::move(action), std::move(body)};
}

CLI::App* CommandRegistry::AddGroup(CLI::App& app, const std::string& name,
                                    const std::string& description) {
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

CLI::App* CommandRegistry::Add(CLI::App* parent, const std::string& name,
                               const std::string& description, std::function<ApiRequest()> build,
                               ResultPrinter print) {
  CLI::App* cmd = parent->add_subcommand(name, description);
  AddConnectionFlags(cmd, connection_flags_);
  cmd->add_flag("--json", json_, "print the result as JSON (for scripts)");
  commands_.push_back(Command{cmd, std::move(build), std::move(print)});
  return cmd;
}

int CommandRegistry::RunParsed() const {
  for (const Command& command : commands_) {
    if (!command.app->parsed()) continue;
    auto connection = ResolveConnection(connection_flags_);
    if (!connection.ok()) {
      std::cerr << "error: " << connection.error().message << "\n";
      return kExitUsage;
    }
    return RunApiRequest(*connection, command.build(), json_, command.print);
  }
  return kExitUsage;
}

int RunApiRequest(const Connection& connection, const ApiRequest& request, bool json,
                  const ResultPrinter& print) {
  client::ApiClient client = MakeClient(connection);
  auto response = client.Call(request.path, request.action, request.body);
  if (!response.ok()) {
    std::cerr << "error: cannot reach " << connection.endpoint << ": " << response.error().message
              << "\n";
    return kExitFailed;
  }
  if (response->status != 200) return ReportFailure(connection, *response);
  json::value body = response->Json();
  const json::value* result = body.is_object() ? body.as_object().if_contains("result") : nullptr;
  if (!result) {
    std::cerr << "error: " << connection.endpoint << " sent a response without a result\n";
    return kExitFailed;
  }
  if (json) {
    std::cout << json::serialize(*result) << "\n";
  } else {
    print(*result, std::cout);
  }
  return kExitOk;
}

}  // namespace cuplane::cli
