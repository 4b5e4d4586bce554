// relay_client.h - delivering one message's recipients to one exchanger, over a cached connection.
#pragma once

#include "common/base/seconds.h"
#include "server/relay/connection_cache.h"
#include "server/relay/relay_router.h"
#include "server/relay/smtp_connection.h"

#include <mutex>
#include <set>
#include <string>
#include <vector>


namespace mail {


struct TransactionResult
{
	bool tryNext = false;                    ///< the exchanger was unusable (connect, greeting, EHLO): try the next one
	std::string tls;                         ///< the connection's TLS ("TLSv1.3 with cipher ..."), empty: plaintext
	std::vector<RecipientResult> recipients; ///< one per recipient, in the order asked (matched by address)
	bool reused = false;                     ///< over a cached connection
	std::vector<CommandTrace> commands;      ///< what was said on the connection for this message

	const RecipientResult* find(const std::string& address) const; ///< nullptr if not asked
};


class RelayClient
/// Takes an idle connection to the exchanger from the cache (SmtpConnection::reusable) or
/// opens one; a cached connection the peer closes as its first transaction begins (before
/// any reply) is replaced by a new one for that transaction, without a failure
/// (SmtpConnection); runs as many transactions as the recipients need (at most 50 each,
/// fewer once the peer answered 452 4.5.3: the rest go in the next one), and gives the
/// connection back to the cache.
/// Thread-safe: workers share one client; abortAll() interrupts every live connection.
{
public:
	RelayClient(std::string heloName, Seconds connectTimeout, Seconds commandTimeout, Seconds cacheTime = Seconds(0),
		unsigned maxMessagesPerConnection = 100, RelayTlsPolicy tls = {});
	/// cacheTime 0: every connection is closed (QUIT) after its message.

	TransactionResult send(const Exchanger& exchanger, const std::string& sender,
		const std::vector<std::string>& recipients, MessageSource& message);
	/// message: read (again for each transaction) in pieces, sent with CRLF line ends and
	/// dot-stuffing. sender empty: MAIL FROM:<>.
	TransactionResult send(const Exchanger& exchanger, const std::string& sender,
		const std::vector<std::string>& recipients, const std::string& message);
	/// The same for a message in memory with CRLF line ends (tests, tools).

	void abortAll();
	/// Shuts down every live connection and closes the idle ones (at server stop).

	std::size_t idleConnections() const { return _cache.idle(); }

private:
	std::unique_ptr<SmtpConnection> connection(const Exchanger& exchanger, RecipientResult& failure, TransactionResult& result);
	std::unique_ptr<SmtpConnection> fresh(const Exchanger& exchanger, RecipientResult& failure, TransactionResult& result);
	static void appendTrace(TransactionResult& result, SmtpConnection& connection);
	void goLive(SmtpConnection& connection);
	bool stopping();
	void setLive(SmtpConnection* connection, bool live);

	std::string _heloName;
	Seconds _connectTimeout;
	Seconds _commandTimeout;
	RelayTlsPolicy _tls;
	ConnectionCache _cache;
	std::mutex _mutex;
	std::set<SmtpConnection*> _live;
	bool _aborted = false;
};


} // namespace mail
