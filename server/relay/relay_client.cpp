// relay_client.cpp - one message to one exchanger: cached or new connection, transactions until every recipient has an answer.
#include "server/relay/relay_client.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <deque>
#include <map>


namespace mail {


namespace {


constexpr std::size_t kRecipientsPerTransaction = 50;
/// As Postfix's default_destination_recipient_limit: a message to more recipients at one
/// exchanger goes in several transactions, so a peer with a common limit (100) never
/// has to refuse any, and pipelined RCPTs over its limit cannot pile up errors there.


} // namespace


const RecipientResult* TransactionResult::find(const std::string& address) const
{
	for (const auto& r: recipients)
	{
		if (r.address == address) return &r;
	}
	return nullptr;
}


RelayClient::RelayClient(std::string heloName, Seconds connectTimeout, Seconds commandTimeout, Seconds cacheTime,
	unsigned maxMessagesPerConnection, RelayTlsPolicy tls):
	_heloName(std::move(heloName)),
	_connectTimeout(connectTimeout),
	_commandTimeout(commandTimeout),
	_tls(std::move(tls)),
	_cache(cacheTime, maxMessagesPerConnection)
{
}


void RelayClient::abortAll()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_aborted = true;
		for (SmtpConnection* connection: _live) connection->abort();
	}
	_cache.closeAll();
}


void RelayClient::setLive(SmtpConnection* connection, bool live)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (live) _live.insert(connection);
	else _live.erase(connection);
}


std::unique_ptr<SmtpConnection> RelayClient::connection(const Exchanger& exchanger, RecipientResult& failure,
	TransactionResult& result)
/// A Ready connection, or nullptr with failure filled in (the exchanger is unusable now).
{
	std::unique_ptr<SmtpConnection> cached = _cache.take(exchanger);
	// The peer may have closed an idle connection meanwhile: then a new one, no failure.
	if (cached && cached->reset())
	{
		result.reused = true;
		return cached;
	}
	auto fresh = std::make_unique<SmtpConnection>(exchanger, _heloName, _connectTimeout, _commandTimeout, _tls);
	setLive(fresh.get(), true);
	const bool opened = fresh->open(failure);
	setLive(fresh.get(), false);
	if (!opened)
	{
		result.commands = fresh->takeTrace();
		return nullptr;
	}
	return fresh;
}


TransactionResult RelayClient::send(const Exchanger& exchanger, const std::string& sender,
	const std::vector<std::string>& recipients, const std::string& message)
{
	StringSource source(message);
	return send(exchanger, sender, recipients, source);
}


TransactionResult RelayClient::send(const Exchanger& exchanger, const std::string& sender,
	const std::vector<std::string>& recipients, MessageSource& message)
{
	TransactionResult result;
	const auto all = [&](const RecipientResult& like) {
		for (const auto& address: recipients)
		{
			RecipientResult r = like;
			r.address = address;
			result.recipients.push_back(r);
		}
		return result;
	};
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_aborted) return all(RecipientResult{{}, Outcome::Temporary, "4.3.2", "relay stopping", false});
	}
	RecipientResult failure;
	std::unique_ptr<SmtpConnection> connection = this->connection(exchanger, failure, result);
	if (!connection)
	{
		result.tryNext = true;
		return all(failure);
	}

	result.tls = connection->tls();
	std::map<std::string, RecipientResult> answers;
	std::deque<std::string> pending(recipients.begin(), recipients.end());
	std::size_t limit = kRecipientsPerTransaction;
	setLive(connection.get(), true);
	{
		// abortAll() may have run between the check above and setLive(): do not start then.
		std::lock_guard<std::mutex> lock(_mutex);
		if (_aborted) connection->abort();
	}
	while (!pending.empty())
	{
		const std::size_t take = std::min(limit, pending.size());
		const std::vector<std::string> batch(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(take));
		pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(take));
		const SmtpTransaction t = connection->send(sender, batch, message);
		for (const auto& r: t.results) answers[r.address] = r;
		// RFC 5321 4.5.3.1.10: the recipients over the peer's limit (452 4.5.3) go in the
		// next transaction, and no later one on this connection offers it more than it took.
		if (!t.notTried.empty()) limit = std::max<std::size_t>(1, batch.size() - t.notTried.size());
		pending.insert(pending.begin(), t.notTried.begin(), t.notTried.end());
		if (pending.empty()) break;
		if (t.results.empty() || !connection->ready() || !connection->reset())
		{
			for (const auto& address: pending)
			{
				answers[address] = RecipientResult{address, Outcome::Temporary, "4.5.3",
					"452 4.5.3 too many recipients, and no further transaction was possible on this connection", true};
			}
			break;
		}
		Poco::Logger::get("relay").debug("- next transaction for %z more recipients peer=%s", pending.size(), exchanger.describe());
	}
	setLive(connection.get(), false);
	result.commands = connection->takeTrace();
	_cache.give(std::move(connection));

	for (const auto& address: recipients)
	{
		const auto found = answers.find(address);
		result.recipients.push_back(found != answers.end() ? found->second
														   : RecipientResult{address, Outcome::Temporary, "4.4.2", "no answer for this recipient", false});
	}
	return result;
}


} // namespace mail
