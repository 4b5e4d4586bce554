// journal_events.h - MailEvents over the Journal: each kind written as common/event_catalogue says.
#pragma once

#include "common/journal/journal.h"
#include "server/mail/mail_events.h"

#include <string>


namespace mail {


class JournalEvents: public MailEvents
/// Writes every event with the type name and the fields, in order, of its row in
/// eventCatalogue() (journal_events_tests checks each method against the table). Linking
/// ids that are not known (a message without a Message-ID) are left out. Thread-safe.
{
public:
	JournalEvents(Journal& journal, std::string dnsServer);
	/// dnsServer: "ADDR:PORT" of mail-dns, the dns_server of every dns.lookup.

	bool enabled() const override { return true; }
	void sessionOpen(const std::string& session, const char* protocol, const std::string& peer, bool tls) override;
	void sessionClose(const std::string& session, const char* protocol, const std::string& reason, std::int64_t ms) override;
	void tls(const std::string& session, const std::string& version, const std::string& cipher) override;
	void smtpHelo(const std::string& session, const std::string& helo, bool esmtp) override;
	void smtpAuth(const std::string& session, const std::string& user, const std::string& mechanism, bool ok) override;
	void messageAccepted(const AcceptedEvent& message) override;
	void messageDelivered(const MessageIds& ids, const std::string& mailbox, const std::string& file, std::int64_t at) override;
	void messageQueued(const MessageIds& ids, const std::vector<std::string>& to, std::int64_t at) override;
	void dnsLookup(const MessageIds& ids, const DnsLookupEvent& lookup) override;
	void relayAttempt(const MessageIds& ids, const RelayAttemptEvent& attempt) override;
	void relayDelivered(const MessageIds& ids, const std::string& to, const std::string& reply,
		const std::string& remoteId) override;
	void relayDeferred(const MessageIds& ids, const std::string& to, const std::string& reply,
		std::int64_t nextAttempt) override;
	void relayBounced(const MessageIds& ids, const std::string& to, const std::string& reply,
		const std::string& status) override;
	void dsnCreated(const MessageIds& ids, const std::string& dsnMessageId, const std::string& to) override;
	void pop3Login(const std::string& session, const std::string& user, const std::string& mechanism, bool ok) override;
	void pop3Retr(const std::string& session, const std::string& user, const std::string& path, const std::string& messageId,
		std::uint64_t size) override;
	void pop3Dele(const std::string& session, const std::string& user, const std::string& path) override;
	void pop3Expunge(const std::string& session, const std::string& user, const std::vector<std::string>& files) override;
	void imapLogin(const std::string& session, const std::string& user, const std::string& mechanism, bool ok) override;
	void imapFetch(const std::string& session, const std::string& user, const std::string& path, const std::string& messageId,
		std::uint64_t size) override;
	void imapExpunge(const std::string& session, const std::string& user, const std::vector<std::string>& files) override;
	void faultFired(const FaultEvent& fault) override;

private:
	Journal& _journal;
	const std::string _dnsServer;
};


} // namespace mail
