// api_journal_routes.cpp - GET /api/v1/events, /api/v1/journey/{message-id}, /api/v1/stream (SSE).
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/journal/journal_api.h"
#include "server/server_context.h"

#include <atomic>
#include <climits>
#include <ostream>


namespace mail {


namespace {


constexpr std::chrono::milliseconds kPeerTimeout{1500}; ///< per other server asked for a journey
constexpr std::chrono::milliseconds kStreamPoll{250};   ///< how soon a stream sees the server stop
constexpr int kKeepAliveRounds = 60;                    ///< a comment line every 15 s of silence
constexpr int kMaxStreams = 8;                          ///< each holds one HTTP thread (16 in all)
std::atomic<int> openStreams{0};


void sendText(Poco::Net::HTTPServerResponse& response, const std::string& json)
{
	sendBody(response, "application/json", json);
}


void stream(const ServerContext& context, Poco::Net::HTTPServerResponse& response)
/// Server-Sent Events: one `event: journal` per new event until the client goes, the
/// journal closes or the server stops. A slow reader loses events (counted in a comment
/// line) rather than holding the journal.
{
	if (!context.journal) throw HttpError(404, "the journal is off (journal.keep: 0)");
	if (++openStreams > kMaxStreams)
	{
		--openStreams;
		throw HttpError(503, "too many event streams");
	}
	struct Release
	{
		~Release() { --openStreams; }
	} release;
	auto subscription = context.journal->subscribe();
	response.setContentType("text/event-stream");
	response.set("Cache-Control", "no-cache");
	response.setChunkedTransferEncoding(true);
	std::ostream& out = response.send();
	out << ": journal of " << context.server.name << "\n\n"
		<< std::flush;
	std::vector<std::string> lines;
	std::uint64_t reported = 0;
	int quiet = 0;
	while (!context.stopping && out.good())
	{
		lines.clear();
		if (!subscription->next(lines, kStreamPoll)) break;
		for (const std::string& line: lines) out << "event: journal\ndata: " << line << "\n\n";
		const std::uint64_t dropped = subscription->dropped();
		if (dropped != reported) out << ": dropped " << (dropped - reported) << " events\n\n";
		reported = dropped;
		if (!lines.empty()) quiet = 0;
		else if (++quiet >= kKeepAliveRounds)
		{
			out << ": keep-alive\n\n";
			quiet = 0;
		}
		out.flush();
	}
}


} // namespace


void registerJournalRoutes(HttpRouter& router, HttpApi& api)
{
	const ServerContext& context = api.context;
	router.add("GET", "/api/v1/events", [&context](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		EventQuery query;
		query.since = static_cast<std::uint64_t>(request.queryNumber("since", 0, 0, LONG_MAX));
		query.messageId = request.query("message_id");
		query.queueId = request.query("queue_id");
		query.limit = static_cast<std::size_t>(request.queryNumber("limit", 1000, 1, 100000));
		sendText(response, eventsAnswer(context.journal, query));
	});
	router.add("GET", "/api/v1/journey/{message_id}", [&context](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		// A Message-ID has an '@'; a message's id (the "queued as" of its 250) has none and
		// finds a message that carries no Message-ID.
		const std::string param = request.param("message_id");
		const bool byId = param.find('@') == std::string::npos;
		const std::string messageId = byId ? std::string() : normalizeMessageId(param);
		sendText(response, gatherJourney(messageId, journeySources(context, kPeerTimeout), byId ? param : "").toJson());
	});
	router.add("GET", "/api/v1/stream", [&context](RouteRequest&, Poco::Net::HTTPServerResponse& response) {
		stream(context, response);
	});
}


} // namespace mail
