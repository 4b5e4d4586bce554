// journal_api.cpp - the answers of /api/v1/events and the sources of /api/v1/journey.
#include "server/journal/journal_api.h"

#include "server/journal/message_story.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>


namespace mail {


namespace {


std::vector<StoredEvent> select(const Journal& journal, const EventQuery& query)
{
	if (query.messageId.empty() && query.queueId.empty()) return journal.since(query.since, query.limit);
	const std::string messageId = query.messageId.empty() ? std::string() : normalizeMessageId(query.messageId);
	std::vector<StoredEvent> events = messageStory(journal, messageId, query.queueId, journal.keep());
	events.erase(std::remove_if(events.begin(), events.end(), [&](const StoredEvent& e) { return e.seq <= query.since; }),
		events.end());
	if (events.size() > query.limit) events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(query.limit));
	return events;
}


} // namespace


std::string eventsAnswer(const Journal* journal, const EventQuery& query)
{
	std::string out = "{\"events\":[";
	std::uint64_t next = query.since;
	std::uint64_t dropped = 0;
	if (journal)
	{
		const std::vector<StoredEvent> events = select(*journal, query);
		for (std::size_t i = 0; i < events.size(); ++i)
		{
			if (i > 0) out += ',';
			out += events[i].json;
		}
		// A filtered answer has looked at everything up to now; an unfiltered one up to its last event.
		const bool filtered = !query.messageId.empty() || !query.queueId.empty();
		if (filtered) next = std::max(next, journal->lastSeq());
		else if (!events.empty()) next = events.back().seq;
		dropped = journal->dropped();
	}
	out += "],\"next\":" + std::to_string(next) + ",\"dropped\":" + std::to_string(dropped) + "}";
	return out;
}


std::vector<JourneySource> journeySources(const ServerContext& context, std::chrono::milliseconds timeout)
{
	std::vector<JourneySource> sources;
	const Journal* journal = context.journal;
	sources.push_back(JourneySource{context.server.name, [journal](const std::string& messageId, const std::string& queueId) {
										std::vector<Poco::JSON::Object::Ptr> events;
										if (!journal) return events;
										for (const StoredEvent& e: messageStory(*journal, messageId, queueId, journal->keep()))
											events.push_back(Poco::JSON::Parser().parse(e.json).extract<Poco::JSON::Object::Ptr>());
										return events;
									}});
	for (const ServerConfig& other: context.config.servers)
	{
		if (other.name == context.server.name || !other.http.enabled()) continue;
		const std::string host = other.http.address == "0.0.0.0" ? "127.0.0.1" : other.http.address;
		sources.push_back(JourneySource{other.name, httpEventFetch(host, other.http.port, timeout)});
	}
	return sources;
}


} // namespace mail
