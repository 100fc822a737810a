// GET /console/...: the web console (SPEC §7), served from the assets built into the binary.
// Every answer carries a strict Content-Security-Policy: scripts, styles and connections only
// from this origin, nothing inline, no frames, no form posts; the page needs nothing else.
#pragma once

#include <string_view>

#include "api/api_types.h"
#include "web/web_router.h"

namespace cuplane::web {

// The policy sent with every console response.
extern const std::string_view kConsoleContentSecurityPolicy;

// /console (redirected to /console/), /console/ (index.html) and /console/<asset>.
void AddConsoleRoutes(WebRouter& router);

// The console's answer for `path` (which starts with "/console").
api::ApiResponse ServeConsole(const api::ApiRequest& request, std::string_view path);

}  // namespace cuplane::web
