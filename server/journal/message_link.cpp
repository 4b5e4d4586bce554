// message_link.cpp - the fields that link an event to the message it is about.
#include "server/journal/message_link.h"


namespace mail {


void linkMessage(JournalEvent& event, const MessageIds& ids)
{
	if (!ids.queueId.empty()) event.str("queue_id", ids.queueId);
	if (!ids.messageId.empty()) event.str("message_id", ids.messageId);
}


} // namespace mail
