// relay_client.h - one outbound SMTP transaction to one exchanger, with per-recipient results.
#pragma once

#include "common/seconds.h"
#include "server/relay/relay_router.h"

#include <Poco/Net/StreamSocket.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>


namespace mail {


enum class Outcome
{
	Delivered, ///< 2xx after DATA
	Temporary, ///< 4xx, connection failure, timeout: retry later
	Permanent  ///< 5xx: bounce
};

const char* toString(Outcome outcome);


struct RecipientResult
{
	std::string address;
	Outcome outcome = Outcome::Temporary;
	std::string status;  ///< RFC 3463 status: from the reply's enhanced code, or derived from the reply code
	std::string reply;   ///< the remote reply ("550 5.1.1 <x>: Recipient address rejected") or the local error
	bool remote = false; ///< reply came from the exchanger (else it is our own error text)
};


struct TransactionResult
{
	bool tryNext = false;                    ///< the exchanger was unusable (connect, greeting, EHLO): try the next one
	std::vector<RecipientResult> recipients; ///< one per recipient, in order
};


class RelayClient
/// Outbound SMTP over Poco::Net::SMTPClientSession: greeting, EHLO (HELO fallback), MAIL
/// FROM, RCPT TO per recipient, DATA with dot-stuffing, QUIT. Every step has a timeout.
/// Thread-safe: workers share one client; abortAll() interrupts every live transaction.
{
public:
	RelayClient(std::string heloName, Seconds connectTimeout, Seconds commandTimeout);

	TransactionResult send(const Exchanger& exchanger, const std::string& sender,
		const std::vector<std::string>& recipients, const std::string& message);
	/// message: CRLF line endings, not dot-stuffed. sender empty: MAIL FROM:<>.

	void abortAll();
	/// Shuts down every live connection (at server stop), so a blocked step fails at once.

private:
	std::string _heloName;
	Seconds _connectTimeout;
	Seconds _commandTimeout;
	std::mutex _mutex;
	std::set<Poco::Net::StreamSocket*> _live;
	bool _aborted = false;
};


std::string dotStuff(const std::string& message);
/// The DATA payload for a CRLF message: lines starting with '.' get another '.', a
/// missing final CRLF is added. The terminating ".\r\n" is not included.

std::string statusFromReply(int code, const std::string& reply);
/// RFC 3463 status: the enhanced code at the start of the reply text if it has one
/// of the reply's class ("550 5.1.1 ..." -> "5.1.1"), else "<class>.0.0".


} // namespace mail
