// journal_events.cpp - writing each kind of MailEvents into the journal.
#include "server/journal/journal_events.h"
#include "common/journal/event_catalogue.h"

#include "server/journal/message_link.h"
#include "server/message/message_id.h"


namespace mail {


namespace {


JournalEvent login(const char* type, const std::string& session, const std::string& user, const std::string& mechanism,
	bool ok)
{
	return std::move(JournalEvent(type).str("session", session).str("user", user).str("mechanism", mechanism).flag("ok", ok));
}


JournalEvent readOf(const char* type, const std::string& session, const std::string& user, const std::string& path,
	const std::string& messageId, std::uint64_t size = 0)
/// pop3.retr, pop3.dele, imap.fetch: the message file, its Message-ID and the size sent
/// (0: none, as for a DELE).
{
	JournalEvent event(type);
	event.str("session", session).str("user", user).str("file", path.substr(path.rfind('/') + 1)).str("message_id", messageId);
	if (size > 0) event.num("size", static_cast<std::int64_t>(size));
	return event;
}


JournalEvent expungeOf(const char* type, const std::string& session, const std::string& user,
	const std::vector<std::string>& files)
{
	return std::move(JournalEvent(type).str("session", session).str("user", user).list("files", files));
}


JournalEvent relayOutcome(const char* type, const MessageIds& ids, const std::string& to, const std::string& reply)
{
	JournalEvent event(type);
	linkMessage(event, ids);
	event.list("to", {to}).str("reply", reply);
	return event;
}


} // namespace


JournalEvents::JournalEvents(Journal& journal, std::string dnsServer):
	_journal(journal),
	_dnsServer(std::move(dnsServer))
{
}


void JournalEvents::sessionOpen(const std::string& session, const char* protocol, const std::string& peer, bool tls)
{
	_journal.record(JournalEvent(events::kSessionOpen).str("session", session).str("protocol", protocol).str("peer", peer).flag("tls", tls));
}


void JournalEvents::sessionClose(const std::string& session, const char* protocol, const std::string& reason, std::int64_t ms)
{
	_journal.record(JournalEvent(events::kSessionClose).str("session", session).str("protocol", protocol).str("reason", reason).num("ms", ms));
}


void JournalEvents::tls(const std::string& session, const std::string& version, const std::string& cipher)
{
	_journal.record(JournalEvent(events::kSmtpTls).str("session", session).str("version", version).str("cipher", cipher));
}


void JournalEvents::smtpHelo(const std::string& session, const std::string& helo, bool esmtp)
{
	_journal.record(JournalEvent(events::kSmtpHelo).str("session", session).str("helo", helo).flag("esmtp", esmtp));
}


void JournalEvents::smtpAuth(const std::string& session, const std::string& user, const std::string& mechanism, bool ok)
{
	_journal.record(login(events::kSmtpAuth, session, user, mechanism, ok));
}


void JournalEvents::messageAccepted(const AcceptedEvent& m)
{
	JournalEvent event(events::kMessageAccepted);
	event.at(m.committed);
	// Both ids always, even an empty Message-ID: the field says the message had none.
	event.str("session", m.session).str("queue_id", m.ids.queueId).str("message_id", m.ids.messageId);
	event.str("from", m.sender).list("to", m.recipients).num("size", static_cast<std::int64_t>(m.size));
	event.str("peer", m.peer).str("helo", m.helo).str("reply", m.reply);
	_journal.record(event);
}


void JournalEvents::messageDelivered(const MessageIds& ids, const std::string& mailbox, const std::string& file,
	std::int64_t at)
{
	_journal.record(JournalEvent(events::kMessageDelivered).at(at).str("queue_id", ids.queueId).str("message_id", ids.messageId).str("mailbox", mailbox).str("file", file));
}


void JournalEvents::messageQueued(const MessageIds& ids, const std::vector<std::string>& to, std::int64_t at)
{
	_journal.record(JournalEvent(events::kMessageQueued).at(at).str("queue_id", ids.queueId).str("message_id", ids.messageId).list("to", to));
}


void JournalEvents::dnsLookup(const MessageIds& ids, const DnsLookupEvent& lookup)
{
	JournalEvent event(events::kDnsLookup);
	linkMessage(event, ids);
	event.str("name", lookup.name).str("qtype", lookup.qtype).list("answer", lookup.answer).str("rcode", lookup.rcode);
	event.str("dns_server", _dnsServer).num("ms", lookup.ms).flag("cached", lookup.cached);
	_journal.record(event);
}


void JournalEvents::relayAttempt(const MessageIds& ids, const RelayAttemptEvent& a)
{
	std::string commands = "[";
	for (const RelayCommand& c: a.commands)
	{
		if (commands.size() > 1) commands += ',';
		commands += "{\"c\":" + jsonString(c.command) + ",\"r\":" + jsonString(c.reply) + ",\"ms\":" + std::to_string(c.ms) + "}";
	}
	commands += ']';
	JournalEvent event(events::kRelayAttempt);
	event.at(a.started);
	linkMessage(event, ids);
	event.list("to", a.to).str("exchanger", a.exchanger).str("address", a.address).flag("reused", a.reused);
	if (!a.tls.empty()) event.str("tls", a.tls);
	event.str("reply", a.reply);
	if (!a.remoteId.empty()) event.str("remote_id", a.remoteId);
	event.num("ms", a.ms).raw("commands", commands);
	_journal.record(event);
}


void JournalEvents::relayDelivered(const MessageIds& ids, const std::string& to, const std::string& reply,
	const std::string& remoteId)
{
	JournalEvent event = relayOutcome(events::kRelayDelivered, ids, to, reply);
	if (!remoteId.empty()) event.str("remote_id", remoteId);
	_journal.record(event);
}


void JournalEvents::relayDeferred(const MessageIds& ids, const std::string& to, const std::string& reply,
	std::int64_t nextAttempt)
{
	_journal.record(relayOutcome(events::kRelayDeferred, ids, to, reply).num("next_attempt", nextAttempt * 1000000));
}


void JournalEvents::relayBounced(const MessageIds& ids, const std::string& to, const std::string& reply,
	const std::string& status)
{
	_journal.record(relayOutcome(events::kRelayBounced, ids, to, reply).str("status", status));
}


void JournalEvents::dsnCreated(const MessageIds& ids, const std::string& dsnMessageId, const std::string& to)
{
	JournalEvent event(events::kDsnCreated);
	linkMessage(event, ids);
	event.str("dsn_message_id", dsnMessageId).list("to", {to});
	_journal.record(event);
}


void JournalEvents::pop3Login(const std::string& session, const std::string& user, const std::string& mechanism, bool ok)
{
	_journal.record(login(events::kPop3Login, session, user, mechanism, ok));
}


void JournalEvents::pop3Retr(const std::string& session, const std::string& user, const std::string& path,
	const std::string& messageId, std::uint64_t size)
{
	_journal.record(readOf(events::kPop3Retr, session, user, path, messageId, size));
}


void JournalEvents::pop3Dele(const std::string& session, const std::string& user, const std::string& path)
{
	_journal.record(readOf(events::kPop3Dele, session, user, path, messageIdOfFile(path)));
}


void JournalEvents::pop3Expunge(const std::string& session, const std::string& user, const std::vector<std::string>& files)
{
	_journal.record(expungeOf(events::kPop3Expunge, session, user, files));
}


void JournalEvents::imapLogin(const std::string& session, const std::string& user, const std::string& mechanism, bool ok)
{
	_journal.record(login(events::kImapLogin, session, user, mechanism, ok));
}


void JournalEvents::imapFetch(const std::string& session, const std::string& user, const std::string& path,
	const std::string& messageId, std::uint64_t size)
{
	_journal.record(readOf(events::kImapFetch, session, user, path, messageId, size));
}


void JournalEvents::imapExpunge(const std::string& session, const std::string& user, const std::vector<std::string>& files)
{
	_journal.record(expungeOf(events::kImapExpunge, session, user, files));
}


void JournalEvents::faultFired(const FaultEvent& f)
{
	_journal.record(JournalEvent(events::kFaultFired)
						.str("session", f.session)
						.str("stage", f.stage)
						.num("rule", static_cast<std::int64_t>(f.rule))
						.str("action", f.action)
						.str("client", f.client)
						.str("sender", f.sender)
						.list("to", f.to));
}


} // namespace mail
