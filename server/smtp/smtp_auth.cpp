// smtp_auth.cpp - STARTTLS (RFC 3207) and AUTH PLAIN/LOGIN (RFC 4954) of an SMTP session.
#include "server/smtp/smtp_session.h"

#include "common/ops/log.h"
#include "server/auth/sasl.h"
#include "server/credentials.h"
#include "server/mail/mail_events.h"

#include <Poco/String.h>
#include <Poco/Thread.h>


namespace mail {


namespace {


/// A SASL response line: PLAIN's three 255-octet fields in base64 fit easily (RFC 4954
/// section 4 allows 12288; nothing we accept is near that).
constexpr std::size_t kMaxAuthLine = 2048;


} // namespace


std::vector<std::string> SmtpSession::authKeywords() const
{
	std::vector<std::string> lines;
	if (_context.tls && !_io.secure()) lines.emplace_back("STARTTLS");
	if (_context.smtpAuthEnabled() && _context.authAllowed(_io.secure())) lines.emplace_back("AUTH PLAIN LOGIN");
	return lines;
}


bool SmtpSession::checkStarttls(const SmtpCommand& command)
{
	if (!_context.tls)
	{
		reply(502, "5.5.1 Error: command not implemented");
		return false;
	}
	if (_io.secure())
	{
		reply(554, "5.5.1 Error: TLS already active");
		return false;
	}
	return checkNoArgument(command);
}


void SmtpSession::doStarttls(const SmtpCommand&)
{
	reply(220, "2.0.0 Ready to start TLS");
	// startTls() sends the 220 and drops whatever the client pipelined after STARTTLS:
	// those octets were sent in the clear and are never executed (CVE-2011-0411).
	_io.startTls(_context.tls, toTimespan(_limits.commandTimeout));
	recordTls(*_context.events, _io);
	// RFC 3207 section 4.2: forget everything learnt before the handshake.
	_helo.clear();
	_esmtp = false;
	_tx.reset();
	_authAccount.clear();
	enterState(State::Connected);
}


bool SmtpSession::checkAuth(const SmtpCommand& command)
{
	if (!_context.smtpAuthEnabled())
	{
		reply(503, "5.5.1 Error: authentication not enabled");
		return false;
	}
	if (!_context.authAllowed(_io.secure()))
	{
		reply(538, "5.7.11 Encryption required for requested authentication mechanism");
		return false;
	}
	if (!_authAccount.empty())
	{
		reply(503, "5.5.1 Error: already authenticated");
		return false;
	}
	if (_tx)
	{
		reply(503, "5.5.1 Error: MAIL transaction in progress");
		return false;
	}
	const std::string mechanism = Poco::toUpper(command.argument.substr(0, command.argument.find(' ')));
	if (mechanism.empty())
	{
		reply(501, "5.5.4 Syntax: AUTH mechanism");
		return false;
	}
	if (mechanism != "PLAIN" && mechanism != "LOGIN")
	{
		reply(504, "5.5.4 Unsupported authentication mechanism");
		return false;
	}
	return true;
}


void SmtpSession::doAuth(const SmtpCommand& command)
{
	const std::size_t space = command.argument.find(' ');
	const std::string mechanism = Poco::toUpper(command.argument.substr(0, space));
	std::string initial = space == std::string::npos ? std::string() : Poco::trim(command.argument.substr(space + 1));
	const bool hasInitial = !initial.empty();
	if (initial == "=") initial.clear(); // RFC 4954 section 4: an empty initial response
	if (mechanism == "PLAIN")
	{
		std::string response = initial;
		if (!hasInitial && !readAuthResponse("", response)) return;
		const auto plain = decodeSaslPlain(response);
		if (!plain)
		{
			reply(501, "5.5.2 Error: cannot decode the PLAIN response");
			return;
		}
		finishAuth(plain->authcid, plain->password, plain->authzid);
		return;
	}
	std::string user = initial;
	std::string password;
	if (!hasInitial && !readAuthResponse("VXNlcm5hbWU6", user)) return; // "Username:"
	const auto decodedUser = decodeSaslLogin(user);
	if (!decodedUser)
	{
		reply(501, "5.5.2 Error: cannot decode the LOGIN user name");
		return;
	}
	if (!readAuthResponse("UGFzc3dvcmQ6", password)) return; // "Password:"
	const auto decodedPassword = decodeSaslLogin(password);
	if (!decodedPassword)
	{
		reply(501, "5.5.2 Error: cannot decode the LOGIN password");
		return;
	}
	finishAuth(*decodedUser, *decodedPassword, "", "LOGIN");
}


bool SmtpSession::readAuthResponse(const std::string& challenge, std::string& response)
{
	_io.send("334 " + challenge);
	_io.flush();
	switch (_io.readLine(response, kMaxAuthLine, toTimespan(_limits.commandTimeout)))
	{
	case ReadStatus::Ok: break;
	case ReadStatus::TooLong:
		reply(500, "5.5.6 Error: authentication exchange line too long");
		return false;
	case ReadStatus::Timeout:
		closeTimedOut();
		return false;
	case ReadStatus::Closed:
		closeLost();
		return false;
	}
	_log.debug("%s <<< (AUTH response, not logged)", _io.id());
	if (isSaslCancel(response))
	{
		reply(501, "5.7.0 Authentication aborted");
		return false;
	}
	return true;
}


void SmtpSession::finishAuth(const std::string& user, const std::string& password, const std::string& authzid,
	const char* mechanism)
{
	// No proxy authorization: an authzid, when given, must name the same login.
	const std::string* account = authzid.empty() || authzid == user ? checkLogin(_server, user, password) : nullptr;
	_context.events->smtpAuth(_io.id(), user, mechanism, account != nullptr);
	if (account)
	{
		_authAccount = *account;
		_log.information("%s auth user=%s", _io.id(), quoteForLog(_authAccount));
		reply(235, "2.7.0 Authentication successful");
		return;
	}
	++_authFailures;
	_log.warning("%s auth failed user=%s failures=%u", _io.id(), quoteForLog(user), _authFailures);
	_io.flush();
	Poco::Thread::sleep(static_cast<long>(kAuthFailureDelay.totalMilliseconds()));
	reply(535, "5.7.8 Error: authentication failed");
	if (_authFailures >= _limits.maxAuthFailures)
	{
		reply(421, "4.7.0 " + _server.name + " Error: too many authentication failures");
		closeWith("auth-failures");
	}
}


bool SmtpSession::checkSenderLogin(const std::string& account)
{
	if (!_server.submission.requireAuth) return true;
	if (_authAccount.empty())
	{
		reply(530, "5.7.0 Authentication required");
		return false;
	}
	if (_authAccount != account)
	{
		reply(553, "5.7.1 " + _args.address.path() + ": Sender address rejected: not owned by user " + _authAccount);
		return false;
	}
	return true;
}


} // namespace mail
