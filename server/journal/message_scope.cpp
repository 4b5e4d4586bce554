// message_scope.cpp - the calling thread's current message ids.
#include "server/journal/message_scope.h"


namespace mail {


namespace {


struct Ids
{
	std::string queueId;
	std::string messageId;
};

thread_local Ids tIds;


} // namespace


MessageScope::MessageScope(const std::string& queueId, const std::string& messageId)
{
	tIds = Ids{queueId, messageId};
}


MessageScope::~MessageScope()
{
	tIds = Ids{};
}


void MessageScope::link(JournalEvent& event)
{
	if (!tIds.queueId.empty()) event.str("queue_id", tIds.queueId);
	if (!tIds.messageId.empty()) event.str("message_id", tIds.messageId);
}


} // namespace mail
