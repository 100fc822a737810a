// (path, Action) -> handler (SPEC §1 routes). Adding an action is adding one row to the table
// in router.cc.
#pragma once

#include <span>
#include <string_view>

#include "api/server_context.h"

namespace cuplane::api {

// Which credentials and policy an action needs.
enum class Access {
  kRead,      // Describe*: any of the three Qianfan policies
  kWrite,     // purchases and changes: FullControl or ServiceOperate
  kOperator,  // the operator plane: an operator key
};

// For a name that serves two handlers (SPEC §4.10): picks one from what the body carries.
using Picker = Handler (*)(const JsonFields& body);

struct Route {
  std::string_view path;
  std::string_view action;
  Access access;
  Handler handler;          // nullptr when `pick` chooses
  Picker pick = nullptr;
};

// The handler that serves this call of `route`.
Handler HandlerFor(const Route& route, const JsonFields& body);

// Every row of the table, in a fixed order (RequestOutcome::route indexes it).
std::span<const Route> Routes();

bool IsKnownPath(std::string_view path);
// nullptr when the path has no such Action.
const Route* FindRoute(std::string_view path, std::string_view action);

}  // namespace cuplane::api
