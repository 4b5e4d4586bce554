// console_routes.cpp - the console's files through the API's router, so they
// get the same security headers (the CSP the console is written for) as every
// API answer.
#include "server/console/console_routes.h"

#include "server/console/console_assets.h"
#include "server/http/http_reply.h"

namespace mail {

namespace {

void sendAsset(const std::string& path,
	Poco::Net::HTTPServerResponse& response)
{
	const ConsoleAsset* asset = findConsoleAsset(path);
	if (!asset)
	{
		sendError(response, 404, "no console file " + path);
		return;
	}
	// The files change only with the binary: let the browser revalidate rather
	// than guess.
	response.set("Cache-Control", "no-cache");
	sendBody(
		response, asset->contentType,
		std::string(reinterpret_cast<const char*>(asset->data), asset->size));
}

} // namespace

void registerConsoleRoutes(HttpRouter& router)
{
	router.add("GET", "/",
		[](RouteRequest&, Poco::Net::HTTPServerResponse& response) {
			sendAsset("/", response);
		});
	router.add("GET", "/index.html",
		[](RouteRequest&, Poco::Net::HTTPServerResponse& response) {
			sendAsset("/index.html", response);
		});
	router.add(
		"GET", "/console/{file}",
		[](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
			sendAsset("/console/" + request.param("file"), response);
		});
}

} // namespace mail
