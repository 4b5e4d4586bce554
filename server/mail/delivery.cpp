// delivery.cpp - where an accepted message goes: the recipients' Maildirs or the relay queue.
#include "server/mail/delivery.h"

#include "common/mail/mail_address.h"

#include "server/store/queue/relay_queue.h"
#include "server/server_context.h"
#include "server/store/maildir_store.h"
#include "server/mail/spool_file.h"

#include <algorithm>


namespace mail {


namespace {


void addOnce(std::vector<std::string>& list, const std::string& item)
{
	if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}


/// Splits routed recipients into local accounts and remote addresses, each once.
void split(const std::vector<RoutedRecipient>& recipients, std::vector<std::string>& accounts,
	std::vector<std::string>& remote)
{
	for (const RoutedRecipient& recipient: recipients)
	{
		if (recipient.route.kind == DeliveryRoute::Kind::Local) addOnce(accounts, recipient.route.account);
		else addOnce(remote, recipient.address);
	}
}


std::string returnPath(const std::string& sender)
{
	return "Return-Path: <" + sender + ">";
}


class QueueSpool: public SpoolFile
/// A spool file that is its message's queue entry (remote recipients only), with the head
/// it started with; deliver() rewrites that head with the sizes and commits the file.
{
public:
	QueueSpool(RelayQueue& queue, QueueEntryHead head):
		SpoolFile(queue.createSpool(head.id)),
		_head(std::move(head))
	{
		writeCrlfText(formatEntryHead(_head));
		startBody();
	}

	QueueEntryHead& head() { return _head; }

private:
	QueueEntryHead _head;
};


void measure(QueueEntryHead& head, const SpoolFile& spool)
{
	head.bodySize = spool.bodySize();
	head.wireSize = spool.bodyWireSize();
	head.eightBit = spool.eightBit();
}


} // namespace


Delivery::Delivery(const ServerConfig& server, MaildirStore& store, RelayQueue& queue):
	_server(server),
	_store(store),
	_queue(queue)
{
}


Delivery::Delivery(const ServerContext& context, MaildirStore& store, RelayQueue& queue):
	_context(&context),
	_server(context.server),
	_store(store),
	_queue(queue)
{
}


DeliveryRoute Delivery::route(const std::string& address) const
{
	const std::shared_ptr<const ServerConfig> current = _context ? _context->current() : nullptr;
	return route(current ? *current : _server, address);
}


DeliveryRoute Delivery::route(const ServerConfig& server, const std::string& address)
{
	DeliveryRoute route;
	if (const std::string* account = server.accountFor(address))
	{
		route.kind = DeliveryRoute::Kind::Local;
		route.account = *account;
		return route;
	}
	const std::string domain = domainOf(address);
	if (domain.empty() || !server.isLocalDomain(domain))
	{
		route.kind = DeliveryRoute::Kind::Remote;
		return route;
	}
	route.code = 550;
	route.reason = "5.1.1 <" + address + ">: Recipient address rejected: User unknown in local recipient table";
	return route;
}


DeliveryResult Delivery::deliver(const std::string& sender, const std::vector<std::string>& recipients,
	const std::string& message, const std::string& id) const
{
	std::vector<RoutedRecipient> routed;
	routed.reserve(recipients.size());
	for (const std::string& recipient: recipients) routed.push_back({recipient, route(recipient)});
	std::vector<std::string> accounts;
	std::vector<std::string> remote;
	split(routed, accounts, remote);
	DeliveryResult result;
	result.local = accounts.size();
	result.remote = remote.size();
	result.accounts = accounts;
	result.remoteRecipients = remote;
	result.size = message.size();
	result.id = id.empty() ? newEnvelopeId() : id;
	// Local copies first, then the queue (see the header for why a late failure still throws).
	if (!accounts.empty()) result.maildir = _store.deliver(accounts, returnPath(sender) + "\r\n" + message, result.id);
	if (!remote.empty()) _queue.enqueue(result.id, sender, remote, message);
	result.queued = !remote.empty();
	return result;
}


std::unique_ptr<SpoolFile> Delivery::openSpool(const Envelope& envelope) const
{
	std::vector<std::string> accounts;
	std::vector<std::string> remote;
	split(envelope.recipients, accounts, remote);
	// Remote recipients only: the spool file becomes the queue entry (relay_queue.h).
	if (accounts.empty()) return std::make_unique<QueueSpool>(_queue, _queue.newHead(envelope.id, envelope.sender, remote));
	auto spool = std::make_unique<SpoolFile>(_store.takeSpoolFile());
	spool->line(returnPath(envelope.sender));
	spool->startBody();
	return spool;
}


void Delivery::prepareSpool() const
{
	_store.prepareSpoolFile();
}


DeliveryResult Delivery::deliver(const Envelope& envelope, SpoolFile& spool) const
{
	std::vector<std::string> accounts;
	std::vector<std::string> remote;
	split(envelope.recipients, accounts, remote);
	DeliveryResult result;
	result.local = accounts.size();
	result.remote = remote.size();
	result.accounts = accounts;
	result.remoteRecipients = remote;
	result.size = spool.bodyWireSize();
	result.id = envelope.id;
	result.queued = !remote.empty();
	if (auto* entry = dynamic_cast<QueueSpool*>(&spool))
	{
		measure(entry->head(), spool);
		spool.rewrite(0, formatEntryHead(entry->head())); // the same length: fixed-width numbers
		spool.end();
		_queue.commitSpool(entry->head());
		return result;
	}
	spool.end();
	if (!accounts.empty())
		result.maildir = _store.deliverFile(accounts, spool.path(), spool.size(), spool.wireSize(), envelope.id);
	if (!remote.empty())
	{
		// The Maildirs share the spool file's inode: the queue gets its own entry (a copy).
		QueueEntryHead head = _queue.newHead(envelope.id, envelope.sender, remote);
		measure(head, spool);
		_queue.enqueueCopy(head, spool.path(), spool.bodyOffset());
	}
	return result;
}


} // namespace mail
