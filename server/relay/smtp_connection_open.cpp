// smtp_connection_open.cpp - opening an outbound SMTP connection: connect, greeting, EHLO,
// STARTTLS (RFC 3207) and the opportunistic fallback to plaintext; the mail transaction
// itself is in smtp_connection.cpp.
#include "server/relay/smtp_connection.h"

#include "common/ops/log.h"
#include "server/net/tls_context.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>

using Poco::Timespan;
using Poco::Net::SocketAddress;


namespace mail {


bool SmtpConnection::open(RecipientResult& failure)
{
	if (connectAndGreet(failure, _tls.mode != RelayTls::None)) return true;
	// Not after abort(): that handshake failed because the server is stopping.
	if (!_handshakeFailed || _tls.mode != RelayTls::Opportunistic || _aborted) return false;
	// A peer that offers STARTTLS and then fails the handshake still gets the mail, in
	// plaintext on a new connection (Postfix's "may" level does the same).
	Poco::Logger::get("relay").warning("- tls-fallback relay=%s reason=%s", _exchanger.describe(), quoteForLog(failure.reply));
	_fd = -1;
	try
	{
		_socket.close();
	}
	catch (const Poco::Exception&)
	{
		// The failed handshake may have closed it already.
	}
	_socket = Poco::Net::StreamSocket();
	_reader.switchTo(_socket);
	return connectAndGreet(failure, false);
}


bool SmtpConnection::connectAndGreet(RecipientResult& failure, bool tryTls)
{
	const std::string peer = _exchanger.describe();
	try
	{
		_socket.connect(SocketAddress(_exchanger.address, _exchanger.port), Timespan(_connectTimeout.count(), 0));
		_fd = _socket.impl()->sockfd();
	}
	catch (const Poco::Exception& exc)
	{
		failure = RecipientResult{{}, Outcome::Temporary, "4.4.1", "connect to " + peer + ": " + exc.displayText(), false};
		_state = State::Closed;
		return false;
	}
	_state = State::Greeting;
	try
	{
		_socket.setSendTimeout(Timespan(_commandTimeout.count(), 0));
		if (greet(failure, tryTls)) return true;
	}
	catch (const Poco::Exception& exc)
	{
		failure = RecipientResult{{}, Outcome::Temporary, "4.4.2", "lost connection with " + peer + " while sending greeting: " + exc.displayText(), false};
	}
	_state = State::Broken;
	return false;
}


bool SmtpConnection::ehlo(Reply& reply)
/// EHLO (HELO when refused); records the extensions. False when neither was accepted.
{
	reply = exchange("EHLO " + _heloName, false, "EHLO");
	_esmtp = reply.code / 100 == 2;
	if (!_esmtp && reply.code != 421) reply = exchange("HELO " + _heloName, false, "HELO");
	if (reply.code / 100 != 2) return false;
	_pipelining = _size = _eightBitMime = _starttls = false;
	for (std::size_t i = 1; _esmtp && i < reply.lines.size(); ++i)
	{
		const std::string keyword = Poco::toUpper(reply.lines[i].substr(0, reply.lines[i].find(' ')));
		_pipelining = _pipelining || keyword == "PIPELINING";
		_size = _size || keyword == "SIZE";
		_eightBitMime = _eightBitMime || keyword == "8BITMIME";
		_starttls = _starttls || keyword == "STARTTLS";
	}
	return true;
}


bool SmtpConnection::greet(RecipientResult& failure, bool tryTls)
{
	const auto start = std::chrono::steady_clock::now();
	Reply reply = readReply("greeting", Timespan(_commandTimeout.count(), 0));
	trace("(connect)", reply, start);
	if (reply.code != 220)
	{
		// A refusing greeting (4xx/5xx): this exchanger is unusable now; try the next one.
		failure = RecipientResult{{}, Outcome::Temporary, statusFromReply(400, reply.text), reply.text, true};
		return false; // open() marks it Broken; the destructor closes it without a QUIT
	}
	if (!ehlo(reply))
	{
		failure = RecipientResult{{}, Outcome::Temporary, statusFromReply(400, reply.text), reply.text, true};
		quit();
		return false;
	}
	if (tryTls && (_starttls || _tls.mode == RelayTls::Verify) && !startTls(failure)) return false;
	_state = State::Ready;
	_clean = true;
	return true;
}


bool SmtpConnection::startTls(RecipientResult& failure)
/// STARTTLS, the handshake, EHLO again. False (failure filled in) when this exchanger
/// cannot be used; true also when an opportunistic STARTTLS was refused (plaintext then).
{
	const std::string peer = _exchanger.describe();
	const bool required = _tls.mode == RelayTls::Verify;
	if (!_starttls)
	{
		failure = RecipientResult{{}, Outcome::Temporary, "4.7.5", "TLS is required (relay.tls: verify) but was not offered by " + peer, false};
		quit();
		return false;
	}
	Reply reply = exchange("STARTTLS", false, "STARTTLS");
	if (reply.code != 220)
	{
		if (!required) return true;
		failure = RecipientResult{{}, Outcome::Temporary, "4.7.5", "TLS is required but " + peer + " refused STARTTLS: " + reply.text, true};
		quit();
		return false;
	}
	try
	{
		// The handshake reads with the socket's timeout: a silent peer must not hold a worker.
		_socket.setReceiveTimeout(Timespan(_commandTimeout.count(), 0));
		Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(_socket, _exchanger.host, _tls.context);
		_tlsInfo = tlsDescription(secure);
		_socket = secure;
		_reader.switchTo(_socket);
	}
	catch (const Poco::Exception& exc)
	{
		_handshakeFailed = true;
		const std::string what = required ? "TLS certificate verification or handshake failed with " : "TLS handshake failed with ";
		failure = RecipientResult{{}, Outcome::Temporary, "4.7.5", what + peer + ": " + exc.displayText(), false};
		return false;
	}
	Poco::Logger::get("relay").information("- tls established relay=%s verified=%s tls=%s", peer, std::string(required ? "yes" : "no"),
		quoteForLog(_tlsInfo));
	// RFC 3207 section 4.2: what the server said before the handshake is forgotten.
	if (!ehlo(reply))
	{
		failure = RecipientResult{{}, Outcome::Temporary, statusFromReply(400, reply.text), reply.text, true};
		quit();
		return false;
	}
	return true;
}


} // namespace mail
