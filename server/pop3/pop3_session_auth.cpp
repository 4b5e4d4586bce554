// pop3_session_auth.cpp - STLS (RFC 2595) and AUTH PLAIN (RFC 5034) of a POP3 session.
#include "server/pop3/pop3_session.h"

#include "common/ops/log.h"
#include "server/mail/mail_events.h"
#include "server/auth/sasl.h"

#include <Poco/String.h>


namespace mail {


namespace {


/// A SASL response line: PLAIN's three 255-octet fields in base64 fit easily.
constexpr std::size_t kMaxAuthLine = 2048;


} // namespace


std::string Pop3Session::authCapabilities() const
{
	std::string lines;
	if (_context.tls && !_io.secure()) lines += "STLS\r\n";
	if (_context.authAllowed(_io.secure())) lines += "USER\r\nSASL PLAIN\r\n";
	return lines;
}


bool Pop3Session::plaintextLoginRefused()
{
	if (_context.authAllowed(_io.secure())) return false;
	++_errors;
	err("[AUTH] plaintext authentication disallowed on non-secure connections; use STLS first");
	return true;
}


void Pop3Session::doStls(const Pop3Command&)
{
	if (!_context.tls)
	{
		protocolError("STLS not supported: no tls: configured");
		return;
	}
	if (_io.secure())
	{
		protocolError("TLS already active");
		return;
	}
	ok("Begin TLS negotiation");
	// startTls() sends the +OK and drops whatever was pipelined after STLS (CVE-2011-0411).
	_io.startTls(_context.tls, toTimespan(_limits.popTimeout));
	recordTls(*_context.events, _io);
	_user.clear(); // RFC 2595 section 4: nothing learnt before the handshake is kept
}


void Pop3Session::doAuth(const Pop3Command& cmd)
{
	const std::string arguments = Poco::trim(cmd.text);
	if (arguments.empty())
	{
		// What clients send to list the mechanisms (RFC 5034 leaves it to CAPA; many ask anyway).
		if (_context.authAllowed(_io.secure())) ok("\r\nPLAIN\r\n.");
		else ok("\r\n.");
		return;
	}
	if (plaintextLoginRefused()) return;
	const std::size_t space = arguments.find(' ');
	const std::string mechanism = Poco::toUpper(arguments.substr(0, space));
	if (mechanism != "PLAIN")
	{
		protocolError("unsupported authentication mechanism " + quoteForLog(mechanism, 20));
		return;
	}
	std::string response = space == std::string::npos ? std::string() : Poco::trim(arguments.substr(space + 1));
	if (response.empty())
	{
		_io.send("+ ");
		_io.flush();
		switch (_io.readLine(response, kMaxAuthLine, toTimespan(_limits.popTimeout)))
		{
		case ReadStatus::Ok: break;
		case ReadStatus::TooLong:
			protocolError("authentication exchange line too long");
			return;
		case ReadStatus::Timeout:
			closeTimedOut();
			return;
		case ReadStatus::Closed:
			closeLost();
			return;
		}
		if (isSaslCancel(response))
		{
			err("authentication aborted");
			return;
		}
	}
	else if (response == "=")
	{
		response.clear(); // RFC 5034 section 4: an empty initial response
	}
	const auto plain = decodeSaslPlain(response);
	if (!plain)
	{
		protocolError("cannot decode the PLAIN response");
		return;
	}
	// No proxy authorization; otherwise exactly USER authcid + PASS password, with
	// the same delay, failure count and mailbox lock.
	_user = plain->authzid.empty() || plain->authzid == plain->authcid ? plain->authcid : std::string("\n");
	Pop3Command pass;
	pass.verb = Pop3Verb::Pass;
	pass.text = plain->password;
	_loginMechanism = "PLAIN";
	doPass(pass);
}


} // namespace mail
