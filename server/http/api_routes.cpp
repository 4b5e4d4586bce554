// api_routes.cpp - the one place every route file is registered with the router.
#include "server/http/http_api.h"


namespace mail {


void registerApiRoutes(HttpRouter& router, HttpApi& api)
{
	registerInfoRoutes(router, api);
	registerMailboxRoutes(router, api);
	registerMessageRoutes(router, api);
	registerQueueRoutes(router, api);
	registerJournalRoutes(router, api);
	registerFaultRoutes(router, api);
	registerAutoconfigRoutes(router, api);
}


} // namespace mail
