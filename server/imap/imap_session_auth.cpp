// imap_session_auth.cpp - STARTTLS (RFC 9051 6.2.1), LOGIN and AUTHENTICATE PLAIN (RFC 4616) of an IMAP session.
#include "server/imap/imap_session.h"

#include "common/ops/log.h"
#include "server/auth/sasl.h"
#include "server/credentials.h"
#include "server/mail/mail_events.h"
#include "server/store/maildir.h"

#include <Poco/String.h>
#include <Poco/Thread.h>

#include <utility>


namespace mail {


namespace {


/// A SASL response line: PLAIN's three 255-octet fields in base64 fit easily.
constexpr std::size_t kMaxAuthLine = 2048;


} // namespace


std::string ImapSession::capabilities() const
{
	std::string caps = "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS SASL-IR";
	if (_state == ImapState::NotAuthenticated)
	{
		if (_context.tls && !_io.secure()) caps += " STARTTLS";
		if (_context.authAllowed(_io.secure())) caps += " AUTH=PLAIN";
		else caps += " LOGINDISABLED";
	}
	return caps;
}


void ImapSession::doStartTls(const ImapCommand& cmd)
{
	if (!_context.tls)
	{
		bad(cmd.tag, "STARTTLS not supported: no tls: configured");
		return;
	}
	if (_io.secure())
	{
		bad(cmd.tag, "TLS already active");
		return;
	}
	ok(cmd.tag, "Begin TLS negotiation now");
	_io.startTls(_context.tls, toTimespan(_limits.imapTimeout));
	recordTls(*_context.events, _io);
}


void ImapSession::doLogin(const ImapCommand& cmd)
{
	if (cmd.args.size() != 2 || !cmd.args[0].isString() || !cmd.args[1].isString())
	{
		bad(cmd.tag, "LOGIN needs a user name and a password");
		return;
	}
	if (!_context.authAllowed(_io.secure()))
	{
		++_errors;
		no(cmd.tag, "[PRIVACYREQUIRED] plaintext authentication disallowed on non-secure connections; use STARTTLS first");
		return;
	}
	login(cmd.tag, cmd.args[0].text, cmd.args[1].text, "LOGIN");
}


void ImapSession::doAuthenticate(const ImapCommand& cmd)
{
	if (cmd.args.empty() || !cmd.args[0].isAtom() || cmd.args.size() > 2)
	{
		bad(cmd.tag, "AUTHENTICATE needs a mechanism");
		return;
	}
	if (Poco::toUpper(cmd.args[0].text) != "PLAIN")
	{
		no(cmd.tag, "unsupported authentication mechanism " + quoteForLog(cmd.args[0].text, 20));
		return;
	}
	if (!_context.authAllowed(_io.secure()))
	{
		++_errors;
		no(cmd.tag, "[PRIVACYREQUIRED] plaintext authentication disallowed on non-secure connections; use STARTTLS first");
		return;
	}
	std::string response;
	if (cmd.args.size() == 2)
	{
		response = cmd.args[1].text == "=" ? std::string() : cmd.args[1].text; // SASL-IR (RFC 4959)
	}
	else
	{
		_io.send("+ ");
		_io.flush();
		switch (_io.readLine(response, kMaxAuthLine, toTimespan(_limits.imapTimeout)))
		{
		case ReadStatus::Ok: break;
		case ReadStatus::TooLong:
			bad(cmd.tag, "authentication exchange line too long");
			return;
		case ReadStatus::Timeout:
			closeTimedOut();
			return;
		case ReadStatus::Closed:
			closeWith("lost");
			return;
		}
		if (isSaslCancel(response))
		{
			bad(cmd.tag, "authentication aborted");
			return;
		}
	}
	const auto plain = decodeSaslPlain(response);
	if (!plain)
	{
		bad(cmd.tag, "cannot decode the PLAIN response");
		return;
	}
	// No proxy authorization: a different authzid fails like a wrong password.
	const std::string user = plain->authzid.empty() || plain->authzid == plain->authcid ? plain->authcid : std::string("\n");
	login(cmd.tag, user, plain->password, "PLAIN");
}


void ImapSession::login(const std::string& tag, const std::string& user, const std::string& password, const char* mechanism)
{
	if (faulted(FaultStage::Pass, tag, user)) return;
	const std::string* key = checkLogin(_server, user, password);
	_context.events->imapLogin(_io.id(), user, mechanism, key != nullptr);
	if (!key)
	{
		++_authFailures;
		_log.warning("%s auth failed user=%s failures=%u", _io.id(), quoteForLog(user), _authFailures);
		Poco::Thread::sleep(static_cast<long>(kAuthFailureDelay.totalMilliseconds()));
		if (_authFailures >= _limits.maxAuthFailures)
		{
			untagged("BYE [AUTHENTICATIONFAILED] too many failures, closing connection");
			no(tag, "[AUTHENTICATIONFAILED] invalid user name or password");
			closeWith("auth-failures");
			return;
		}
		no(tag, "[AUTHENTICATIONFAILED] invalid user name or password");
		return;
	}
	_account = *key;
	_mailboxPath = Maildir(_context.mailDir()).path(_account);
	_log.information("%s login user=%s mechanism=%s", _io.id(), quoteForLog(_account), std::string(mechanism));
	_state = ImapState::Authenticated;
	ok(tag, "[CAPABILITY " + capabilities() + "] " + (std::string(mechanism) == "LOGIN" ? "LOGIN" : "AUTHENTICATE") + " completed");
}


} // namespace mail
