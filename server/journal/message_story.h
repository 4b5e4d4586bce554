// message_story.h - one message's events out of the journal's ring (the events API's
// message_id/queue_id filter and the journey).
#pragma once

#include "common/journal/journal.h"

#include <cstddef>
#include <string>
#include <vector>


namespace mail {


std::vector<StoredEvent> messageStory(const Journal& journal, const std::string& messageId, const std::string& queueId,
	std::size_t limit);
/// One message's events: those with its Message-ID or queue id, those with a queue id
/// such an event has, the session, HELO, TLS and login events of the sessions that
/// accepted or read it, and the refused earlier attempts at it (fault_link). Oldest
/// first, at most limit (the newest).


} // namespace mail
