// relay_events.cpp - the relay's results as MailEvents calls.
#include "server/relay/relay_events.h"

#include "server/message/message_id.h"

#include <Poco/String.h>


namespace mail {


std::string remoteIdOf(const std::string& reply)
{
	static const std::string marker = "queued as ";
	const std::string lower = Poco::toLower(reply);
	const std::size_t at = lower.find(marker);
	if (at == std::string::npos) return {};
	const std::size_t start = at + marker.size();
	std::size_t end = start;
	while (end < reply.size() && reply[end] != ' ' && reply[end] != ';' && reply[end] != ')') ++end;
	return reply.substr(start, end - start);
}


void recordRelayAttempt(MailEvents& events, const MessageIds& ids, const std::vector<std::string>& to,
	const Exchanger& exchanger, const TransactionResult& result, const Poco::Timestamp& started)
{
	if (!events.enabled()) return;
	RelayAttemptEvent attempt;
	attempt.started = started.epochMicroseconds();
	attempt.to = to;
	attempt.exchanger = exchanger.host;
	attempt.address = exchanger.address + ":" + std::to_string(exchanger.port);
	attempt.reused = result.reused;
	attempt.tls = result.tls;
	for (const CommandTrace& c: result.commands) attempt.commands.push_back(RelayCommand{c.command, c.reply, c.ms});
	// The final word: the reply to the end of DATA, or the last failure.
	attempt.reply = result.commands.empty() ? std::string() : result.commands.back().reply;
	if (!result.recipients.empty() && (result.commands.empty() || result.commands.back().command != "."))
		attempt.reply = result.recipients.front().reply;
	attempt.remoteId = remoteIdOf(attempt.reply);
	attempt.ms = started.elapsed() / 1000;
	events.relayAttempt(ids, attempt);
}


void recordRecipient(MailEvents& events, const MessageIds& ids, const QueuedRecipient& recipient, std::int64_t nextAttempt)
{
	if (!events.enabled()) return;
	switch (recipient.state)
	{
	case RecipientState::Delivered:
		events.relayDelivered(ids, recipient.address, recipient.diagnostic, remoteIdOf(recipient.diagnostic));
		break;
	case RecipientState::Failed:
	case RecipientState::Bounced:
		events.relayBounced(ids, recipient.address, recipient.diagnostic, recipient.status);
		break;
	case RecipientState::Pending:
		events.relayDeferred(ids, recipient.address, recipient.diagnostic, nextAttempt);
		break;
	}
}


void recordDsn(MailEvents& events, const MessageIds& ids, const std::string& sender, const std::string& dsn)
{
	if (events.enabled()) events.dsnCreated(ids, messageIdIn(dsn), sender);
}


} // namespace mail
