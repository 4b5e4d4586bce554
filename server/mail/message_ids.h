// message_ids.h - the ids one accepted message is known by in the journal.
//
// The relay works on one message at a time per worker; the ids of that message travel as
// this small value into every call that records an event about it (relay events, the DNS
// lookups that route it), so no thread keeps "its current message" anywhere.
#pragma once

#include <string>


namespace mail {


struct MessageIds
{
	std::string queueId;   ///< the id minted at acceptance ("queued as", the queue file name)
	std::string messageId; ///< the Message-ID field; "" when the message has none or it was not read
};


} // namespace mail
