// session_events.h - the journal events of SMTP and POP3 sessions, one call at each place.
//
// A null journal (journal.keep 0) records nothing and builds nothing.
#pragma once

#include "common/journal.h"
#include "server/mail/delivery.h"
#include "server/net/session_io.h"

#include <string>
#include <vector>


namespace mail {


void recordSessionOpen(Journal* journal, SessionIo& io, const char* protocol);
void recordSessionClose(Journal* journal, SessionIo& io, const char* protocol, const std::string& reason);
void recordTls(Journal* journal, SessionIo& io);
/// smtp.tls after a handshake (STARTTLS, STLS or implicit TLS), with version and cipher.


struct AcceptedMessage
/// What an SMTP session knows once a message is stored or queued.
{
	std::string session;
	std::string queueId; ///< the id of "queued as"
	std::string messageId;
	std::string sender;
	std::vector<std::string> recipients;
	std::string peer;
	std::string helo;
	std::string reply;
	std::int64_t committed = 0; ///< when DATA ended (microseconds): the time of all three events
};

void recordAccepted(Journal* journal, const AcceptedMessage& message, const DeliveryResult& result);
/// message.accepted, then message.delivered for each local copy and message.queued for
/// the recipients the relay sends on, all dated when DATA ended: the relay may already
/// have looked up and sent the queued copy before these are recorded, and its events
/// must sort after them.


void recordPop3(Journal* journal, const char* type, SessionIo& io, const std::string& user, const std::string& path,
	std::uint64_t size = 0);
/// pop3.retr (with size) or pop3.dele for the message file at path (its Message-ID read
/// from the file's head).

void recordMessageRead(Journal* journal, const char* type, SessionIo& io, const std::string& user,
	const std::string& file, const std::string& messageId, std::uint64_t size);
/// The same for a message the session holds in memory (imap.fetch): the caller gives the
/// file name and the Message-ID (messageIdIn), so the file is not opened a second time.


} // namespace mail
