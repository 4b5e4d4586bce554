// message_scope.h - which message the calling thread is working on, for events made deep down.
//
// The relay resolves, sends and bounces for one message at a time per worker thread;
// the DNS decorator and the relay's event helpers below it learn the message's ids from
// here instead of having them passed through every layer.
#pragma once

#include "common/journal_event.h"

#include <string>


namespace mail {


class MessageScope
/// While it lives, this thread works on the message with these ids.
{
public:
	MessageScope(const std::string& queueId, const std::string& messageId);
	~MessageScope();
	MessageScope(const MessageScope&) = delete;
	MessageScope& operator=(const MessageScope&) = delete;

	static void link(JournalEvent& event);
	/// Adds queue_id and message_id of the current message (those that are known).
};


} // namespace mail
