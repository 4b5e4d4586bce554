// event_catalogue.cpp - the table of journal event types and fields (docs/api.md "Events").
#include "common/journal/event_catalogue.h"


namespace mail {


const std::vector<EventType>& eventCatalogue()
{
	using namespace events;
	static const std::vector<EventType> table = {
		{kSessionOpen, {"session", "protocol", "peer", "tls"}},
		{kSessionClose, {"session", "protocol", "reason", "ms"}},
		{kSmtpHelo, {"session", "helo", "esmtp"}},
		{kSmtpTls, {"session", "version", "cipher"}},
		{kSmtpAuth, {"session", "user", "mechanism", "ok"}},
		{kMessageAccepted, {"session", "queue_id", "message_id", "from", "to", "size", "peer", "helo", "reply"}},
		{kMessageDelivered, {"queue_id", "message_id", "mailbox", "file"}},
		{kMessageQueued, {"queue_id", "message_id", "to"}},
		{kDnsLookup, {"queue_id", "message_id", "name", "qtype", "answer", "rcode", "dns_server", "ms", "cached"}},
		{kRelayAttempt,
			{"queue_id", "message_id", "to", "exchanger", "address", "reused", "tls", "reply", "remote_id", "ms", "commands"}},
		{kRelayDelivered, {"queue_id", "message_id", "to", "reply", "remote_id"}},
		{kRelayDeferred, {"queue_id", "message_id", "to", "reply", "next_attempt"}},
		{kRelayBounced, {"queue_id", "message_id", "to", "reply", "status"}},
		{kDsnCreated, {"queue_id", "message_id", "dsn_message_id", "to"}},
		{kPop3Login, {"session", "user", "mechanism", "ok"}},
		{kPop3Retr, {"session", "user", "file", "message_id", "size"}},
		{kPop3Dele, {"session", "user", "file", "message_id"}},
		{kPop3Expunge, {"session", "user", "files"}},
		{kImapLogin, {"session", "user", "mechanism", "ok"}},
		{kImapFetch, {"session", "user", "file", "message_id", "size"}},
		{kImapExpunge, {"session", "user", "files"}},
		{kDnsQuery, {"client", "name", "qtype", "rcode", "answer", "transport"}},
		{kFaultFired, {"session", "stage", "rule", "action", "client", "sender", "to"}},
	};
	return table;
}


} // namespace mail
