// journal_api.h - what the HTTP routes of the journal answer (events, journey), without HTTP.
#pragma once

#include "common/journal/journal.h"
#include "common/journal/journey.h"
#include "server/server_context.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>


namespace mail {


struct EventQuery
/// GET /api/v1/events?since=&message_id=&queue_id=&limit=
{
	std::uint64_t since = 0;
	std::string messageId; ///< brackets optional
	std::string queueId;
	std::size_t limit = 1000;
};


std::string eventsAnswer(const Journal* journal, const EventQuery& query);
/// {"events": [...], "next": SEQ, "dropped": N}: next is the seq to pass as since= for
/// what comes after; dropped counts the lines the writer lost. With message_id or
/// queue_id, the message's linked events (Journal::about) above since.

std::vector<JourneySource> journeySources(const ServerContext& context, std::chrono::milliseconds timeout);
/// This server's own journal, then every other server of the config with an http: port,
/// asked over HTTP with timeout.


} // namespace mail
