// session_events.cpp - building the journal events of SMTP and POP3 sessions.
#include "server/journal/session_events.h"
#include "common/event_catalogue.h"

#include "server/journal/message_id.h"

#include <Poco/Path.h>


namespace mail {


void recordSessionOpen(Journal* journal, SessionIo& io, const char* protocol)
{
	if (!journal) return;
	journal->record(JournalEvent(events::kSessionOpen).str("session", io.id()).str("protocol", protocol).str("peer", io.peer()).flag("tls", io.secure()));
}


void recordSessionClose(Journal* journal, SessionIo& io, const char* protocol, const std::string& reason)
{
	if (!journal) return;
	journal->record(JournalEvent(events::kSessionClose).str("session", io.id()).str("protocol", protocol).str("reason", reason).num("ms", io.ageMs()));
}


void recordTls(Journal* journal, SessionIo& io)
{
	if (!journal) return;
	std::string version, cipher;
	if (!io.tlsInfo(version, cipher)) return;
	journal->record(JournalEvent(events::kSmtpTls).str("session", io.id()).str("version", version).str("cipher", cipher));
}


void recordAccepted(Journal* journal, const AcceptedMessage& m, const DeliveryResult& result)
{
	if (!journal) return;
	JournalEvent accepted(events::kMessageAccepted);
	accepted.at(m.committed);
	accepted.str("session", m.session).str("queue_id", m.queueId).str("message_id", m.messageId);
	accepted.str("from", m.sender).list("to", m.recipients).num("size", static_cast<std::int64_t>(result.size));
	accepted.str("peer", m.peer).str("helo", m.helo).str("reply", m.reply);
	journal->record(accepted);
	for (const std::string& account: result.accounts)
	{
		journal->record(JournalEvent(events::kMessageDelivered).at(m.committed).str("queue_id", m.queueId).str("message_id", m.messageId).str("mailbox", account).str("file", result.maildir));
	}
	if (!result.remoteRecipients.empty())
	{
		// The relay queue names the message by the same id, so the relay's events carry
		// this queue_id too (a message without a Message-ID keeps its relay leg).
		journal->record(JournalEvent(events::kMessageQueued).at(m.committed).str("queue_id", m.queueId).str("message_id", m.messageId).list("to", result.remoteRecipients));
	}
}


void recordPop3(Journal* journal, const char* type, SessionIo& io, const std::string& user, const std::string& path,
	std::uint64_t size)
{
	if (!journal) return;
	recordMessageRead(journal, type, io, user, Poco::Path(path).getFileName(), messageIdOfFile(path), size);
}


void recordMessageRead(Journal* journal, const char* type, SessionIo& io, const std::string& user,
	const std::string& file, const std::string& messageId, std::uint64_t size)
{
	if (!journal) return;
	JournalEvent event(type);
	event.str("session", io.id()).str("user", user).str("file", file).str("message_id", messageId);
	if (size > 0) event.num("size", static_cast<std::int64_t>(size));
	journal->record(event);
}


} // namespace mail
