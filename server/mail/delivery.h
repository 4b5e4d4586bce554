// delivery.h - where an accepted message goes: the recipients' Maildirs or the relay queue.
//
// The one place that decides local versus remote for an address (SMTP RCPT, SMTP MAIL's
// sender check, the relay's bounces) and the one place that writes Return-Path:, which
// only final delivery adds (RFC 5321 4.4, as Postfix's local delivery does).
#pragma once

#include "common/config/config.h"
#include "server/mail/envelope.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace mail {


class MaildirStore;
class RelayQueue;
class SpoolFile;
struct ServerContext;


struct DeliveryResult
/// What deliver() did, for the log.
{
	std::size_t local = 0;                     ///< mailboxes a copy went into (each account once)
	std::size_t remote = 0;                    ///< recipients queued for the relay (each address once)
	std::string maildir;                       ///< the Maildir base name of the local copies, empty if none
	std::string id;                            ///< the message's one id (Maildir name, queue entry)
	bool queued = false;                       ///< some recipients were queued for the relay
	std::uint64_t size = 0;                    ///< octets with CRLF line ends, without Return-Path (as queued)
	std::vector<std::string> accounts;         ///< the local accounts a copy went into (the journal)
	std::vector<std::string> remoteRecipients; ///< the addresses queued for the relay
};


class Delivery
/// Routes addresses and delivers accepted messages. Thread-safe (the store and the
/// queue are; the configuration is an immutable snapshot taken per call).
{
public:
	Delivery(const ServerConfig& server, MaildirStore& store, RelayQueue& queue);
	/// Routes with this fixed configuration (tests).
	Delivery(const ServerContext& context, MaildirStore& store, RelayQueue& queue);
	/// Routes with the context's current configuration, so accounts added by a SIGHUP
	/// reload receive mail at once.

	static DeliveryRoute route(const ServerConfig& server, const std::string& address);
	/// "local@domain" (empty: the null path, which is Remote): an account of server
	/// matched case-insensitively as a whole (ServerConfig::accountFor) is Local; another
	/// address in one of its domains is Refused with 550 5.1.1; anything else is Remote.
	/// SMTP asks this once per recipient at RCPT, with the session's snapshot.
	DeliveryRoute route(const std::string& address) const;
	/// The same with the configuration now (the relay's bounces, the tests).

	DeliveryResult deliver(const std::string& sender, const std::vector<std::string>& recipients,
		const std::string& message, const std::string& id = "") const;
	/// Stores one copy per local account, each with `Return-Path: <sender>` prepended,
	/// then queues the message as it is (no Return-Path) for every other recipient with
	/// the sender as reverse-path (empty: a bounce). A recipient listed twice gets one
	/// copy. An address Refused here is queued: whoever accepted it decided it may be
	/// sent on, and the relay bounces what it cannot deliver. Returns when every copy is
	/// durable. Throws Poco::Exception on any failure; a queue failure after the local
	/// copies were stored still throws, so the caller answers 451 (the client retries
	/// and a local recipient may see a duplicate, but nothing is lost). id: the message's
	/// id for its Maildir name and queue entry; empty: a new one (newEnvelopeId()).

	std::unique_ptr<SpoolFile> openSpool(const Envelope& envelope) const;
	/// A new spool file for a message being received (SMTP DATA streams into it), from
	/// the routes its recipients got at RCPT. With a local recipient: in the Maildir
	/// store's spool directory, `Return-Path: <sender>` already written as its first
	/// line. With remote recipients only: the message's queue entry itself, its head
	/// already written (relay_queue.h). Throws on failure.

	void prepareSpool() const;
	/// Makes the next openSpool() with a local recipient cheaper (its file created now:
	/// MaildirStore::prepareSpoolFile); call it where nobody waits, e.g. after a reply.
	DeliveryResult deliver(const Envelope& envelope, SpoolFile& spool) const;
	/// The same as above for an accepted message in a finished spool file from
	/// openSpool(envelope), each recipient going where its route (decided at RCPT) says,
	/// never routed again: Local to its account, Remote (and Refused) to the queue. The
	/// local copies are hard links of the spool file (no copy); a queue-entry spool file
	/// is committed into the queue as it is (no copy); with both, the queue gets the
	/// message without the Return-Path line in an entry of its own, copied by the kernel
	/// (the Maildirs' inode never carries an envelope).

private:
	const ServerContext* _context = nullptr; ///< null: _server is all there is
	const ServerConfig& _server;
	MaildirStore& _store;
	RelayQueue& _queue;
};


} // namespace mail
