// journey.h - one message's path across providers, put together from each server's events.
//
// A message's events live in the journals of every server it passed through. They link
// by Message-ID and by the next hop's "queued as" id (remote_id of relay.attempt equals
// the next server's queue_id), so the path is gathered by asking every server for the
// Message-ID, then asking again for each remote_id no answer has explained yet. Used by
// mail-server's GET /api/v1/journey and by `mail-agent journey`.
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>


namespace mail {


using EventFetch = std::function<std::vector<Poco::JSON::Object::Ptr>(const std::string& messageId, const std::string& queueId)>;
/// A server's events of one message (by Message-ID, or by queue id when messageId is
/// empty). Throws (any std::exception) when the server cannot be asked.


struct JourneySource
{
	std::string server;
	EventFetch fetch;
};


struct JourneyServer
/// How one server answered.
{
	std::string server;
	bool ok = true;
	std::string error;
};


struct Journey
{
	std::string messageId;
	std::vector<Poco::JSON::Object::Ptr> events; ///< every server's, by t (then server, seq)
	std::vector<JourneyServer> servers;

	std::string toJson() const;
	/// {"message_id", "events": [...], "servers": [{"server", "ok", "error"}]} (docs/api.md)
};


Journey gatherJourney(const std::string& messageId, const std::vector<JourneySource>& sources,
	const std::string& queueId = "");
/// Asks every source for messageId (or, when messageId is empty, for the events of the
/// message whose id is queueId: a message without a Message-ID), then follows remote_id
/// links (a few hops at most).
/// A source that fails is listed with ok=false and not asked again.


EventFetch httpEventFetch(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
/// Asks GET /api/v1/events?message_id=ID (or queue_id=ID)&limit=1000 on host:port.

std::string normalizeMessageId(const std::string& id);
/// "<x@y>" for "x@y" or "<x@y>" (surrounding space trimmed): the form events carry.


} // namespace mail
