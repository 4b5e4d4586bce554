// api_fault_routes.cpp - GET/POST/DELETE /api/v1/faults: the running fault rules (docs/api.md).
#include "server/faults/faults_json.h"
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/server_context.h"

#include <stdexcept>


namespace mail {


namespace {


constexpr std::streamsize kMaxRule = 4096; ///< as a control socket request line


FaultRules& rulesOf(HttpApi& api)
{
	if (!api.context.faults) throw HttpError(503, "fault rules are not available");
	return *api.context.faults;
}


} // namespace


void registerFaultRoutes(HttpRouter& router, HttpApi& api)
{
	router.add("GET", "/api/v1/faults", [&api](RouteRequest&, Poco::Net::HTTPServerResponse& response) {
		sendJson(response, faultsJson(rulesOf(api).list()));
	});
	router.add("POST", "/api/v1/faults", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		char buffer[kMaxRule + 1];
		request.http.stream().read(buffer, sizeof buffer);
		const std::string body(buffer, static_cast<std::size_t>(request.http.stream().gcount()));
		if (body.size() > static_cast<std::size_t>(kMaxRule)) throw HttpError(413, "a rule is at most 4096 octets");
		try
		{
			sendJson(response, addFaultJson(rulesOf(api), body), Poco::Net::HTTPResponse::HTTP_CREATED);
		}
		catch (const std::invalid_argument& exc)
		{
			throw HttpError(400, exc.what());
		}
	});
	router.add("DELETE", "/api/v1/faults", [&api](RouteRequest&, Poco::Net::HTTPServerResponse& response) {
		sendJson(response, clearFaultsJson(rulesOf(api)));
	});
}


} // namespace mail
