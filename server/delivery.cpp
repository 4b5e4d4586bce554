// delivery.cpp - where an accepted message goes: the recipients' Maildirs or the relay queue.
#include "server/delivery.h"

#include "common/mail_address.h"

#include "server/relay/relay_queue.h"
#include "server/store/maildir_store.h"

#include <algorithm>


namespace mail {


namespace {


void addOnce(std::vector<std::string>& list, const std::string& item)
{
	if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}


} // namespace


Delivery::Delivery(const ServerConfig& server, MaildirStore& store, RelayQueue& queue):
	_server(server),
	_store(store),
	_queue(queue)
{
}


DeliveryRoute Delivery::route(const std::string& address) const
{
	DeliveryRoute route;
	if (const std::string* account = _server.accountFor(address))
	{
		route.kind = DeliveryRoute::Kind::Local;
		route.account = *account;
		return route;
	}
	const std::string domain = domainOf(address);
	if (domain.empty() || !_server.isLocalDomain(domain))
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
	for (const std::string& recipient: recipients)
	{
		const DeliveryRoute route = this->route(recipient);
		if (route.kind == DeliveryRoute::Kind::Local) addOnce(accounts, route.account);
		else addOnce(remote, recipient);
	}
	DeliveryResult result;
	result.local = accounts.size();
	result.remote = remote.size();
	// Local copies first, then the queue (see the header for why a late failure still throws).
	if (!accounts.empty()) result.maildir = _store.deliver(accounts, "Return-Path: <" + sender + ">\r\n" + message);
	if (!remote.empty()) result.queueId = _queue.enqueue(sender, remote, message);
	return result;
}


} // namespace mail
