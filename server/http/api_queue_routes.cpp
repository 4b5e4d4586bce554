// api_queue_routes.cpp - /api/v1/queue: the listing and the operator's actions, through the
// same relay operations and report the control socket (`mail-server queue`) uses.
#include "server/control/queue_report.h"
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/relay/relay_service.h"

#include <cctype>


namespace mail {


namespace {


const std::string& queueId(const RouteRequest& request)
/// Queue ids are hex (a message's id, server/mail/envelope.h; older queues have 20 digits); anything else names no queued message.
{
	const std::string& id = request.param("id");
	bool hex = !id.empty() && id.size() <= 64;
	for (unsigned char c: id) hex = hex && std::isxdigit(c);
	if (!hex) throw HttpError(404, "no queued message " + id);
	return id;
}


int statusOf(QueueOpResult result)
{
	switch (result)
	{
	case QueueOpResult::Done:
		return 200;
	case QueueOpResult::NotFound:
		return 404;
	case QueueOpResult::Busy:
	case QueueOpResult::Held:
	case QueueOpResult::NotHeld:
		break;
	}
	return 409; // the message's state forbids it now: the body says why
}


void answer(Poco::Net::HTTPServerResponse& response, const std::string& id, QueueOpResult result)
{
	if (result != QueueOpResult::Done) throw HttpError(statusOf(result), id + ": " + describe(result));
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("ok", true);
	body->set("id", id);
	sendJson(response, body);
}


} // namespace


void registerQueueRoutes(HttpRouter& router, HttpApi& api)
{
	router.add("GET", "/api/v1/queue", [&api](RouteRequest&, Poco::Net::HTTPServerResponse& response) {
		sendBody(response, "application/json; charset=utf-8",
			formatQueueJson(queueReport(api.queue, api.relay.scheduleSnapshot())));
	});
	router.add("POST", "/api/v1/queue/{id}/retry", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const std::string& id = queueId(request);
		answer(response, id, api.relay.retryNow(id));
	});
	router.add("POST", "/api/v1/queue/{id}/hold", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const std::string& id = queueId(request);
		answer(response, id, api.relay.hold(id));
	});
	router.add("POST", "/api/v1/queue/{id}/release", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const std::string& id = queueId(request);
		answer(response, id, api.relay.release(id));
	});
	router.add("DELETE", "/api/v1/queue/{id}", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const std::string& id = queueId(request);
		answer(response, id, api.relay.remove(id, "DELETE /api/v1/queue"));
	});
}


} // namespace mail
