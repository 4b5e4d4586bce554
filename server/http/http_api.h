// http_api.h - what the /api/v1 routes share, and the one place every route file is registered.
#pragma once

#include "server/http/http_router.h"


namespace mail {


class MaildirStore;
class RelayQueue;
class RelayService;
struct ServerContext;


struct HttpApi
/// The process's parts the routes read and act on; built by MailServerApp, outliving
/// the HTTP service.
{
	ServerContext& context;
	MaildirStore& store;
	RelayQueue& queue;
	RelayService& relay;
};


void registerApiRoutes(HttpRouter& router, HttpApi& api);
/// Every route of the server: calls each file's registerXxxRoutes (one line per file).

void registerInfoRoutes(HttpRouter& router, HttpApi& api);
/// GET /api/v1/info and /api/v1/topology (api_info_routes.cpp).


} // namespace mail
