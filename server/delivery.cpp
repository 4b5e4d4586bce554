// delivery.cpp - where an accepted message goes: the recipients' Maildirs or the relay queue.
#include "server/delivery.h"

#include "common/mail_address.h"

#include "server/relay/relay_queue.h"
#include "server/server_context.h"
#include "server/store/durable_file.h"
#include "server/store/maildir_store.h"
#include "server/store/spool_file.h"

#include <algorithm>


namespace mail {


namespace {


void addOnce(std::vector<std::string>& list, const std::string& item)
{
	if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}


/// Splits recipients into local accounts and remote addresses, each once.
void split(const Delivery& delivery, const std::vector<std::string>& recipients, std::vector<std::string>& accounts,
	std::vector<std::string>& remote)
{
	for (const std::string& recipient: recipients)
	{
		const DeliveryRoute route = delivery.route(recipient);
		if (route.kind == DeliveryRoute::Kind::Local) addOnce(accounts, route.account);
		else addOnce(remote, recipient);
	}
}


std::string returnPath(const std::string& sender)
{
	return "Return-Path: <" + sender + ">";
}


/// The spool file without its first line (Return-Path), with CRLF line ends.
std::string queuedCopy(const std::string& path)
{
	const std::string lf = readWholeFile(path);
	std::size_t pos = lf.find('\n');
	pos = pos == std::string::npos ? lf.size() : pos + 1;
	std::string out;
	out.reserve((lf.size() - pos) + (lf.size() - pos) / 32);
	for (; pos < lf.size(); ++pos)
	{
		if (lf[pos] == '\n') out += '\r';
		out += lf[pos];
	}
	return out;
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
	const ServerConfig& server = current ? *current : _server;
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
	const std::string& message) const
{
	std::vector<std::string> accounts;
	std::vector<std::string> remote;
	split(*this, recipients, accounts, remote);
	DeliveryResult result;
	result.local = accounts.size();
	result.remote = remote.size();
	result.accounts = accounts;
	result.remoteRecipients = remote;
	result.size = message.size();
	// Local copies first, then the queue (see the header for why a late failure still throws).
	if (!accounts.empty()) result.maildir = _store.deliver(accounts, returnPath(sender) + "\r\n" + message);
	if (!remote.empty()) result.queueId = _queue.enqueue(sender, remote, message);
	return result;
}


std::unique_ptr<SpoolFile> Delivery::openSpool(const std::string& sender) const
{
	auto spool = std::make_unique<SpoolFile>(_store.spoolDirectory());
	spool->line(returnPath(sender));
	return spool;
}


DeliveryResult Delivery::deliver(const std::string& sender, const std::vector<std::string>& recipients,
	SpoolFile& spool) const
{
	std::vector<std::string> accounts;
	std::vector<std::string> remote;
	split(*this, recipients, accounts, remote);
	spool.end();
	DeliveryResult result;
	result.local = accounts.size();
	result.remote = remote.size();
	result.accounts = accounts;
	result.remoteRecipients = remote;
	const std::uint64_t returnPathWire = returnPath(sender).size() + 2;
	result.size = spool.wireSize() - returnPathWire;
	if (!accounts.empty())
		result.maildir = _store.deliverFile(accounts, spool.path(), spool.size(), spool.wireSize());
	if (!remote.empty()) result.queueId = _queue.enqueue(sender, remote, queuedCopy(spool.path()));
	return result;
}


} // namespace mail
