// message_link.h - the fields that link an event to the message it is about.
#pragma once

#include "common/journal/journal_event.h"
#include "server/mail/message_ids.h"


namespace mail {


void linkMessage(JournalEvent& event, const MessageIds& ids);
/// Adds queue_id and message_id (those that are known, so a message without a Message-ID
/// is still linked by its queue id).


} // namespace mail
