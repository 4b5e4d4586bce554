// message_story.cpp - which of the journal's events tell one message's story.
#include "server/journal/message_story.h"

#include "common/journal/event_catalogue.h"
#include "server/journal/fault_link.h"

#include <set>


namespace mail {


namespace {


/// Session-level events pulled into a message's story through the session that accepted
/// or read it (not the session's other messages).
bool isSessionEvent(const std::string& type)
{
	return type.compare(0, 8, "session.") == 0 || type.compare(0, 5, "smtp.") == 0 || type == events::kPop3Login
		|| type == events::kImapLogin;
}


bool opensSession(const std::string& type)
{
	return type == events::kMessageAccepted || type == events::kPop3Retr || type == events::kPop3Dele
		|| type == events::kImapFetch;
}


} // namespace


std::vector<StoredEvent> messageStory(const Journal& journal, const std::string& messageId, const std::string& queueId,
	std::size_t limit)
{
	std::vector<StoredEvent> out;
	journal.read([&](const std::deque<StoredEvent>& ring) {
		std::set<std::string> queueIds, sessions;
		if (!queueId.empty()) queueIds.insert(queueId);
		const auto mine = [&](const StoredEvent& e) {
			return (!messageId.empty() && e.messageId == messageId) || (!e.queueId.empty() && queueIds.count(e.queueId));
		};
		// Twice: an event may link by a queue id that a later event of the message names.
		for (int pass = 0; pass < 2; ++pass)
		{
			for (const StoredEvent& e: ring)
			{
				if (!mine(e)) continue;
				if (!e.queueId.empty()) queueIds.insert(e.queueId);
				if (!e.session.empty() && opensSession(e.type)) sessions.insert(e.session);
			}
		}
		std::vector<StoredEvent> accepted;
		for (const StoredEvent& e: ring)
			if (e.type == events::kMessageAccepted && mine(e)) accepted.push_back(e);
		for (const StoredEvent& e: ring)
		{
			if (mine(e) || (!e.session.empty() && isSessionEvent(e.type) && sessions.count(e.session))
				|| refusedEarlier(e, accepted))
				out.push_back(e);
		}
	});
	if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
	return out;
}


} // namespace mail
