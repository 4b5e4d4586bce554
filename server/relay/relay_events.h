// relay_events.h - the relay's events: attempts, recipient outcomes, bounces.
//
// Each is one call at its place in the relay (server/relay/relay_service.cpp), given the
// ids of the message it is about; they turn the relay's own results into MailEvents calls
// and do nothing when events are off.
#pragma once

#include "server/mail/mail_events.h"
#include "server/relay/relay_client.h"
#include "server/store/queue/queue_envelope.h"

#include <Poco/Timestamp.h>

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


std::string remoteIdOf(const std::string& reply);
/// The next hop's id from its reply to the end of DATA ("250 2.0.0 Ok: queued as X"),
/// or "" when the reply names none.

void recordRelayAttempt(MailEvents& events, const MessageIds& ids, const std::vector<std::string>& to,
	const Exchanger& exchanger, const TransactionResult& result, const Poco::Timestamp& started);
/// relay.attempt, dated when it started: the exchanger, the commands and replies, the
/// final reply, the peer's "queued as" id and how long it took.

void recordRecipient(MailEvents& events, const MessageIds& ids, const QueuedRecipient& recipient, std::int64_t nextAttempt);
/// relay.delivered, relay.bounced (Failed) or relay.deferred (Pending, next attempt
/// in seconds since the epoch) for one recipient after an attempt.

void recordDsn(MailEvents& events, const MessageIds& ids, const std::string& sender, const std::string& dsn);
/// dsn.created: a delivery status notification for the message went to sender.


} // namespace mail
