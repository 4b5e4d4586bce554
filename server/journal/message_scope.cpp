// message_scope.cpp - the calling thread's current message ids.
#include "server/journal/message_scope.h"


namespace mail {


namespace {


struct Ids
{
	std::string queueId;
	std::string messageId;
};

thread_local Ids t_ids;


} // namespace


MessageScope::MessageScope(const std::string& queueId, const std::string& messageId)
{
	t_ids = Ids{queueId, messageId};
}


MessageScope::~MessageScope()
{
	t_ids = Ids{};
}


void MessageScope::link(JournalEvent& event)
{
	if (!t_ids.queueId.empty()) event.str("queue_id", t_ids.queueId);
	if (!t_ids.messageId.empty()) event.str("message_id", t_ids.messageId);
}


} // namespace mail
