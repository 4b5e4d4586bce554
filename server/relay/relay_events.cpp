// relay_events.cpp - building the relay's journal events.
#include "server/relay/relay_events.h"
#include "common/event_catalogue.h"

#include "server/journal/message_id.h"
#include "server/journal/message_link.h"

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


void recordRelayAttempt(Journal* journal, const MessageIds& ids, const std::vector<std::string>& to, const Exchanger& exchanger,
	const TransactionResult& result, const Poco::Timestamp& started)
{
	if (!journal) return;
	std::string commands = "[";
	for (const CommandTrace& c: result.commands)
	{
		if (commands.size() > 1) commands += ',';
		commands += "{\"c\":" + jsonString(c.command) + ",\"r\":" + jsonString(c.reply) + ",\"ms\":" + std::to_string(c.ms) + "}";
	}
	commands += ']';
	// The final word: the reply to the end of DATA, or the last failure.
	std::string reply = result.commands.empty() ? std::string() : result.commands.back().reply;
	if (!result.recipients.empty() && (result.commands.empty() || result.commands.back().command != "."))
		reply = result.recipients.front().reply;
	JournalEvent event(events::kRelayAttempt);
	event.at(started.epochMicroseconds());
	linkMessage(event, ids);
	event.list("to", to).str("exchanger", exchanger.host).str("address", exchanger.address + ":" + std::to_string(exchanger.port));
	event.flag("reused", result.reused);
	if (!result.tls.empty()) event.str("tls", result.tls);
	event.str("reply", reply);
	const std::string remoteId = remoteIdOf(reply);
	if (!remoteId.empty()) event.str("remote_id", remoteId);
	event.num("ms", started.elapsed() / 1000).raw("commands", commands);
	journal->record(event);
}


void recordRecipient(Journal* journal, const MessageIds& ids, const QueuedRecipient& recipient, std::int64_t nextAttempt)
{
	if (!journal) return;
	const bool delivered = recipient.state == RecipientState::Delivered;
	const bool failed = recipient.state == RecipientState::Failed || recipient.state == RecipientState::Bounced;
	JournalEvent event(delivered ? events::kRelayDelivered : failed ? events::kRelayBounced
																	: events::kRelayDeferred);
	linkMessage(event, ids);
	event.list("to", {recipient.address}).str("reply", recipient.diagnostic);
	if (delivered)
	{
		const std::string remoteId = remoteIdOf(recipient.diagnostic);
		if (!remoteId.empty()) event.str("remote_id", remoteId);
	}
	else if (failed) event.str("status", recipient.status);
	else event.num("next_attempt", nextAttempt * 1000000);
	journal->record(event);
}


void recordDsn(Journal* journal, const MessageIds& ids, const std::string& sender, const std::string& dsn)
{
	if (!journal) return;
	JournalEvent event(events::kDsnCreated);
	linkMessage(event, ids);
	event.str("dsn_message_id", messageIdIn(dsn)).list("to", {sender});
	journal->record(event);
}


} // namespace mail
