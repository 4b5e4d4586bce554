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
	if (cached && cached->reusable())
	{
		result.reused = true;
		return cached;
	}
	return fresh(exchanger, failure, result);
}


std::unique_ptr<SmtpConnection> RelayClient::fresh(const Exchanger& exchanger, RecipientResult& failure,
	TransactionResult& result)
/// A new connection, Ready, or nullptr with failure and the commands so far in result.
{
	result.reused = false;
	auto fresh = std::make_unique<SmtpConnection>(exchanger, _heloName, _connectTimeout, _commandTimeout, _tls);
	setLive(fresh.get(), true);
	const bool opened = fresh->open(failure);
	setLive(fresh.get(), false);
	if (!opened)
	{
		appendTrace(result, *fresh);
		return nullptr;
	}
	return fresh;
}


void RelayClient::appendTrace(TransactionResult& result, SmtpConnection& connection)
{
	std::vector<CommandTrace> trace = connection.takeTrace();
	result.commands.insert(result.commands.end(), std::make_move_iterator(trace.begin()), std::make_move_iterator(trace.end()));
}


void RelayClient::goLive(SmtpConnection& connection)
/// Registers the connection for abortAll().
{
	setLive(&connection, true);
	// abortAll() may have run between the caller's check and setLive(): do not start then.
	std::lock_guard<std::mutex> lock(_mutex);
	if (_aborted) connection.abort();
}


bool RelayClient::stopping()
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _aborted;
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
	if (stopping()) return all(RecipientResult{{}, Outcome::Temporary, "4.3.2", "relay stopping", false});
	RecipientResult failure;
	std::unique_ptr<SmtpConnection> connection = this->connection(exchanger, failure, result);
	if (!connection)
	{
		result.tryNext = true;
		return all(failure);
	}

	std::map<std::string, RecipientResult> answers;
	std::deque<std::string> pending(recipients.begin(), recipients.end());
	std::size_t limit = kRecipientsPerTransaction;
	bool first = true;
	goLive(*connection);
	while (!pending.empty())
	{
		const std::size_t take = std::min(limit, pending.size());
		const std::vector<std::string> batch(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(take));
		pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(take));
		SmtpTransaction t = connection->send(sender, batch, message);
		if (first && result.reused && t.unheard && !stopping())
		{
			// The peer closed the idle connection (or said 421) as this transaction began,
			// which no check before it can rule out: it took nothing of it. Once more on a
			// new connection, as if the cache had been empty.
			setLive(connection.get(), false);
			appendTrace(result, *connection);
			connection = fresh(exchanger, failure, result);
			if (!connection)
			{
				result.tryNext = true;
				return all(failure);
			}
			goLive(*connection);
			t = connection->send(sender, batch, message);
		}
		first = false;
		for (const auto& r: t.results) answers[r.address] = r;
		// RFC 5321 4.5.3.1.10: the recipients over the peer's limit (452 4.5.3) go in the
		// next transaction, and no later one on this connection offers it more than it took.
		if (!t.notTried.empty()) limit = std::max<std::size_t>(1, batch.size() - t.notTried.size());
		pending.insert(pending.begin(), t.notTried.begin(), t.notTried.end());
		if (pending.empty()) break;
		if (t.results.empty() || !connection->reusable())
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
	result.tls = connection->tls();
	appendTrace(result, *connection);
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
