// mail_events.h - every event mail-server records, as one interface: one method per kind.
//
// The SMTP, POP3 and IMAP sessions, the fault hooks and the relay say what happened through
// MailEvents and know nothing of the journal behind it. server/journal/journal_events
// implements it over the Journal, writing each kind with the type name and fields of
// common/event_catalogue (the one table docs/api.md is checked against); NullMailEvents,
// for journal.keep 0, records and builds nothing. Callers pass plain values; work done
// only for an event (a file's Message-ID, a trace's JSON) happens inside the journal's
// implementation, or behind enabled().
#pragma once

#include "server/mail/message_ids.h"

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


struct AcceptedEvent
/// message.accepted: what an SMTP session knows once a message is stored or queued.
{
	std::string session;
	MessageIds ids; ///< the id of "queued as" and the Message-ID
	std::string sender;
	std::vector<std::string> recipients;
	std::uint64_t size = 0;
	std::string peer;
	std::string helo;
	std::string reply;
	std::int64_t committed = 0; ///< when DATA ended (microseconds): the time of it and its delivered/queued events
};


struct RelayCommand
/// One command of a relay connection and its reply (relay.attempt's commands).
{
	std::string command;
	std::string reply;
	std::int64_t ms = 0;
};


struct RelayAttemptEvent
/// relay.attempt: one message to one exchanger.
{
	std::int64_t started = 0; ///< microseconds since the epoch: the event's time
	std::vector<std::string> to;
	std::string exchanger; ///< host name
	std::string address;   ///< ADDR:PORT
	bool reused = false;   ///< over a cached connection
	std::string tls;       ///< empty: plaintext
	std::string reply;     ///< the final word (end of DATA, or the failure)
	std::string remoteId;  ///< the peer's "queued as" id; empty: none named
	std::int64_t ms = 0;
	std::vector<RelayCommand> commands;
};


struct DnsLookupEvent
/// dns.lookup: one MX, P or A answer the relay used to route a message.
{
	std::string name;
	const char* qtype = "MX";
	std::vector<std::string> answer;
	const char* rcode = "NOERROR";
	std::int64_t ms = 0;
	bool cached = false;
};


struct FaultEvent
/// fault.fired: a `faults:` rule a session hit, with what it matched.
{
	std::string session;
	const char* stage = "";
	std::size_t rule = 0;
	const char* action = "";
	std::string client;
	std::string sender;
	std::vector<std::string> to;
};


class MailEvents
/// Thread-safe in every implementation: sessions and relay workers call it at once.
{
public:
	virtual ~MailEvents() = default;

	virtual bool enabled() const = 0;
	/// Whether anything is recorded: callers skip work done only for events (reading a
	/// queued message's Message-ID) when it is not.

	// sessions of any protocol ("smtp", "pop3", "imap")
	virtual void sessionOpen(const std::string& session, const char* protocol, const std::string& peer, bool tls) = 0;
	virtual void sessionClose(const std::string& session, const char* protocol, const std::string& reason,
		std::int64_t ms) = 0;
	virtual void tls(const std::string& session, const std::string& version, const std::string& cipher) = 0;
	///< smtp.tls, after any handshake (STARTTLS, STLS, implicit TLS), whatever the protocol

	// SMTP
	virtual void smtpHelo(const std::string& session, const std::string& helo, bool esmtp) = 0;
	virtual void smtpAuth(const std::string& session, const std::string& user, const std::string& mechanism, bool ok) = 0;

	// the accepted message
	virtual void messageAccepted(const AcceptedEvent& message) = 0;
	virtual void messageDelivered(const MessageIds& ids, const std::string& mailbox, const std::string& file,
		std::int64_t at) = 0;
	///< one local copy (at: when DATA ended, microseconds)
	virtual void messageQueued(const MessageIds& ids, const std::vector<std::string>& to, std::int64_t at) = 0;
	///< the recipients the relay sends on

	// the relay
	virtual void dnsLookup(const MessageIds& ids, const DnsLookupEvent& lookup) = 0;
	virtual void relayAttempt(const MessageIds& ids, const RelayAttemptEvent& attempt) = 0;
	virtual void relayDelivered(const MessageIds& ids, const std::string& to, const std::string& reply,
		const std::string& remoteId) = 0;
	virtual void relayDeferred(const MessageIds& ids, const std::string& to, const std::string& reply,
		std::int64_t nextAttempt) = 0;
	///< nextAttempt: seconds since the epoch
	virtual void relayBounced(const MessageIds& ids, const std::string& to, const std::string& reply,
		const std::string& status) = 0;
	virtual void dsnCreated(const MessageIds& ids, const std::string& dsnMessageId, const std::string& to) = 0;
	///< ids: the failed message's; to: its sender

	// mailbox reads (path: the message file; messageId: its Message-ID as the session's read
	// found it (CrlfText), so the file is not opened a second time)
	virtual void pop3Login(const std::string& session, const std::string& user, const std::string& mechanism, bool ok) = 0;
	virtual void pop3Retr(const std::string& session, const std::string& user, const std::string& path,
		const std::string& messageId, std::uint64_t size) = 0;
	virtual void pop3Dele(const std::string& session, const std::string& user, const std::string& path) = 0;
	///< (its Message-ID read from the file's head)
	virtual void pop3Expunge(const std::string& session, const std::string& user, const std::vector<std::string>& files) = 0;
	virtual void imapLogin(const std::string& session, const std::string& user, const std::string& mechanism, bool ok) = 0;
	virtual void imapFetch(const std::string& session, const std::string& user, const std::string& path,
		const std::string& messageId, std::uint64_t size) = 0;
	virtual void imapExpunge(const std::string& session, const std::string& user, const std::vector<std::string>& files) = 0;

	// fault injection
	virtual void faultFired(const FaultEvent& fault) = 0;
};


class NullMailEvents: public MailEvents
/// journal.keep 0: every method returns at once.
{
public:
	bool enabled() const override { return false; }
	void sessionOpen(const std::string&, const char*, const std::string&, bool) override {}
	void sessionClose(const std::string&, const char*, const std::string&, std::int64_t) override {}
	void tls(const std::string&, const std::string&, const std::string&) override {}
	void smtpHelo(const std::string&, const std::string&, bool) override {}
	void smtpAuth(const std::string&, const std::string&, const std::string&, bool) override {}
	void messageAccepted(const AcceptedEvent&) override {}
	void messageDelivered(const MessageIds&, const std::string&, const std::string&, std::int64_t) override {}
	void messageQueued(const MessageIds&, const std::vector<std::string>&, std::int64_t) override {}
	void dnsLookup(const MessageIds&, const DnsLookupEvent&) override {}
	void relayAttempt(const MessageIds&, const RelayAttemptEvent&) override {}
	void relayDelivered(const MessageIds&, const std::string&, const std::string&, const std::string&) override {}
	void relayDeferred(const MessageIds&, const std::string&, const std::string&, std::int64_t) override {}
	void relayBounced(const MessageIds&, const std::string&, const std::string&, const std::string&) override {}
	void dsnCreated(const MessageIds&, const std::string&, const std::string&) override {}
	void pop3Login(const std::string&, const std::string&, const std::string&, bool) override {}
	void pop3Retr(const std::string&, const std::string&, const std::string&, const std::string&, std::uint64_t) override {}
	void pop3Dele(const std::string&, const std::string&, const std::string&) override {}
	void pop3Expunge(const std::string&, const std::string&, const std::vector<std::string>&) override {}
	void imapLogin(const std::string&, const std::string&, const std::string&, bool) override {}
	void imapFetch(const std::string&, const std::string&, const std::string&, const std::string&, std::uint64_t) override {}
	void imapExpunge(const std::string&, const std::string&, const std::vector<std::string>&) override {}
	void faultFired(const FaultEvent&) override {}
};


template <typename Io>
void recordTls(MailEvents& events, Io& io)
/// smtp.tls after a session's handshake (Io: server/net's SessionIo), with version and cipher.
{
	std::string version, cipher;
	if (events.enabled() && io.tlsInfo(version, cipher)) events.tls(io.id(), version, cipher);
}


MailEvents& nullMailEvents();
/// The one NullMailEvents of the process: what ServerContext::events points at until a
/// journal is opened.


} // namespace mail
