// api_message_routes.cpp - /api/v1/messages/{id}: one message decoded, its source, its parts,
// and its deletion.
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/http/mailbox_view.h"
#include "server/http/message_json.h"
#include "server/server_context.h"

#include <Poco/NumberParser.h>


namespace mail {


namespace {


struct Loaded
{
	StoredMessage stored;
	std::string content;
};


Loaded load(const MailboxView& view, const RouteRequest& request)
{
	Loaded loaded;
	const std::string& id = request.param("id");
	if (!view.find(id, loaded.stored) || !MailboxView::read(loaded.stored, loaded.content))
		throw HttpError(404, "no message " + id);
	return loaded;
}


std::string quotedFilename(const std::string& name)
/// For Content-Disposition: quotes, backslashes and control characters dropped.
{
	std::string out;
	for (unsigned char c: name)
	{
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) out += static_cast<char>(c);
	}
	return "\"" + (out.empty() ? std::string("part") : out) + "\"";
}


void sendPart(const MimeMessage& message, const std::string& n, Poco::Net::HTTPServerResponse& response)
{
	unsigned index = 0;
	if (!Poco::NumberParser::tryParseUnsigned(n, index) || index < 1 || index > message.parts.size())
		throw HttpError(404, "no part " + n + " (the message has " + std::to_string(message.parts.size()) + ")");
	const MimePart& part = message.parts[index - 1];
	if (part.contentType == "text/html" || part.contentType.compare(0, 8, "message/") == 0) addSandbox(response);
	if (part.attachment) response.set("Content-Disposition", "attachment; filename=" + quotedFilename(part.filename));
	sendBody(response, part.contentType + (part.charset.empty() ? "" : "; charset=" + part.charset), part.decoded());
}


} // namespace


void registerMessageRoutes(HttpRouter& router, HttpApi& api)
{
	router.add("GET", "/api/v1/messages/{id}", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const Loaded loaded = load(MailboxView(api.context.current(), api.context.mailDir()), request);
		sendJson(response, messageDetail(loaded.stored, parseMimeMessage(loaded.content)));
	});
	router.add("GET", "/api/v1/messages/{id}/raw", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const Loaded loaded = load(MailboxView(api.context.current(), api.context.mailDir()), request);
		addSandbox(response);
		sendBody(response, "message/rfc822", loaded.content);
	});
	router.add("GET", "/api/v1/messages/{id}/parts/{n}",
		[&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
			const Loaded loaded = load(MailboxView(api.context.current(), api.context.mailDir()), request);
			sendPart(parseMimeMessage(loaded.content), request.param("n"), response);
		});
	router.add("DELETE", "/api/v1/messages/{id}", [&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		const MailboxView view(api.context.current(), api.context.mailDir());
		StoredMessage stored;
		const std::string& id = request.param("id");
		if (!view.find(id, stored)) throw HttpError(404, "no message " + id);
		std::vector<std::string> deleted;
		const MailboxView::DeleteResult result = view.remove(stored.account, {id}, deleted);
		if (result == MailboxView::DeleteResult::Deleted && deleted.empty()) throw HttpError(404, "no message " + id);
		sendDeleted(response, stored.account, result, deleted);
	});
}


} // namespace mail
