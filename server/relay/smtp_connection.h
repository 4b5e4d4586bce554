// smtp_connection.h - one outbound SMTP connection as an explicit state machine.
//
// Closed -> connect -> Greeting -> EHLO (HELO) -> Ready -> MAIL -> RCPT -> DATA -> Ready
// again ... -> QUIT -> Closed (RSET before the next transaction only where the last one did
// not end with the reply to the end of DATA, which ends it on the peer); a lost connection, a
// timeout or a 421 makes it Broken. With PIPELINING offered (RFC 2920) MAIL, every RCPT
// and DATA go in one write and the replies are read in order; without it, one by one.
// Results are keyed by recipient address. A 452 4.5.3 (too many recipients, RFC 5321
// 4.5.3.1.10) leaves the recipient for the next transaction on the same connection.
// STARTTLS (RFC 3207) follows relay.tls: after the handshake the connection forgets the
// first EHLO's extensions and asks again; an opportunistic handshake that fails is
// retried once on a new plaintext connection, as Postfix does at its "may" level.
#pragma once

#include "common/base/line_reader.h"
#include "common/base/seconds.h"
#include "server/message/message_source.h"
#include "server/relay/relay_router.h"
#include "server/relay/relay_tls.h"

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
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


struct CommandTrace
/// One command of an outbound connection and its reply, for the journal's relay.attempt.
{
	std::string command; ///< as sent ("MAIL FROM:<a@b>"); "(connect)" for the greeting, "." for the end of DATA
	std::string reply;   ///< the whole reply, lines joined
	std::int64_t ms = 0; ///< from sending (or, pipelined, from waiting) to the reply
};


struct SmtpTransaction
/// What one MAIL..DATA transaction did.
{
	std::vector<RecipientResult> results; ///< every recipient that got an answer, or lost it with the connection
	std::vector<std::string> notTried;    ///< refused with 452 4.5.3: for the next transaction
	bool unheard = false;                 ///< lost, or 421, before any reply to it: the peer took nothing of it
};


class SmtpConnection
{
public:
	enum class State
	{
		Closed,
		Greeting,
		Ready,
		Mail,
		Rcpt,
		Data,
		Broken
	};

	SmtpConnection(Exchanger exchanger, std::string heloName, Seconds connectTimeout, Seconds commandTimeout,
		RelayTlsPolicy tls = {});
	~SmtpConnection(); ///< closes the socket without QUIT
	SmtpConnection(const SmtpConnection&) = delete;
	SmtpConnection& operator=(const SmtpConnection&) = delete;

	bool open(RecipientResult& failure);
	/// Connect, greeting, EHLO (HELO when EHLO is refused): Ready. False when this
	/// exchanger cannot be used now (the caller tries the next one); failure says why.

	bool reusable();
	/// Before the next transaction on a Ready connection (an idle one from the cache): false
	/// when the peer has closed it or said something meanwhile (a 421 on its idle timeout),
	/// which a poll without waiting shows. RSET (a round trip) only when the last
	/// transaction did not end with the reply to the end of DATA; false when that fails.

	SmtpTransaction send(const std::string& sender, const std::vector<std::string>& recipients, MessageSource& message);
	/// One transaction from Ready. The message is read from its start (rewind()) and sent
	/// through a small buffer with CRLF line ends and dot-stuffing, never whole in memory.

	void quit();
	/// QUIT, a short wait for its reply, close. Any failure is ignored: nothing depends on it.

	void abort();
	/// Shuts the socket down from another thread (server stop), so a blocked step fails at once.

	State state() const { return _state; }
	bool ready() const { return _state == State::Ready; }
	unsigned messages() const { return _messages; } ///< transactions that reached the end of DATA
	bool pipelining() const { return _pipelining; }
	const Exchanger& exchanger() const { return _exchanger; }
	std::vector<CommandTrace> takeTrace();              ///< the commands and replies since the last call
	const std::string& tls() const { return _tlsInfo; } ///< "TLSv1.3 with cipher ..." once secured, else empty

private:
	struct Reply
	{
		int code = 0;
		std::string text;               ///< every line, joined with spaces
		std::vector<std::string> lines; ///< each line without the code
	};

	Reply readReply(const char* step, const Poco::Timespan& timeout);
	void write(const std::string& data);
	void writeData(MessageSource& message);
	Reply exchange(const std::string& line, bool batched, const char* step);
	bool connectAndGreet(RecipientResult& failure, bool tryTls);
	bool greet(RecipientResult& failure, bool tryTls);
	bool startTls(RecipientResult& failure);
	bool ehlo(Reply& reply);
	void trace(const std::string& command, const Reply& reply, std::chrono::steady_clock::time_point since);

	Exchanger _exchanger;
	std::string _heloName;
	Seconds _connectTimeout;
	Seconds _commandTimeout;
	RelayTlsPolicy _tls;
	Poco::Net::StreamSocket _socket;
	std::atomic<int> _fd{-1}; ///< _socket's descriptor while connected, for abort() from another thread
	std::atomic<bool> _aborted{false};
	LineReader _reader;
	State _state = State::Closed;
	bool _pipelining = false;
	bool _size = false;
	bool _eightBitMime = false; ///< the peer offered 8BITMIME (RFC 6152)
	bool _esmtp = false;
	bool _starttls = false; ///< the last EHLO offered STARTTLS
	bool _handshakeFailed = false;
	std::string _tlsInfo;
	unsigned _messages = 0;
	bool _clean = false; ///< no transaction open on the peer: after EHLO, RSET or the end of DATA's reply
	std::vector<CommandTrace> _trace;
};


constexpr std::size_t kDataChunk = std::size_t{64} * 1024;
/// How much of a message is read (and sent) at a time.

std::string statusFromReply(int code, const std::string& reply);
/// RFC 3463 status: the enhanced code at the start of the reply text if it has one
/// of the reply's class ("550 5.1.1 ..." -> "5.1.1"), else "<class>.0.0".


} // namespace mail
