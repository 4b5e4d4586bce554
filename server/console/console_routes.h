// console_routes.h - serves the web console (server/console/assets) from
// mail-server.
#pragma once

#include "server/http/http_router.h"

namespace mail {

void registerConsoleRoutes(HttpRouter& router);
///< GET `/`, `/index.html` and `/console/{file}`: the compiled-in console files
///< with their
///  content types (docs/api.md); any other name under /console/ is a JSON 404.

} // namespace mail
