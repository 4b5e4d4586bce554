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

void registerMailboxRoutes(HttpRouter& router, HttpApi& api);
/// /api/v1/mailboxes, a mailbox's messages (paging, q, wait) and its purge (api_mailbox_routes.cpp).

void registerMessageRoutes(HttpRouter& router, HttpApi& api);
/// /api/v1/messages/{id}, /raw, /parts/{n} and its deletion (api_message_routes.cpp).

void registerQueueRoutes(HttpRouter& router, HttpApi& api);
/// /api/v1/queue and its retry, hold, release and delete (api_queue_routes.cpp).

void registerJournalRoutes(HttpRouter& router, HttpApi& api);
/// GET /api/v1/events, /api/v1/journey/{message-id}, /api/v1/stream (api_journal_routes.cpp).

void registerFaultRoutes(HttpRouter& router, HttpApi& api);
/// GET/POST/DELETE /api/v1/faults (api_fault_routes.cpp).

void registerAutoconfigRoutes(HttpRouter& router, HttpApi& api);
/// GET /.well-known/autoconfig/mail/config-v1.1.xml and /mail/config-v1.1.xml: Thunderbird's
/// autoconfiguration (autoconfig_routes.cpp).

bool isAutoconfigPath(const std::string& path);
/// The autoconfig paths, which answer without the API's basic auth.


} // namespace mail
