// smtp_session.cpp - one SMTP session: the loop, the command table, session verbs, replies.
#include "server/smtp/smtp_session.h"

#include "common/ops/log.h"
#include "server/mail/mail_events.h"

#include <Poco/Exception.h>
#include <Poco/Thread.h>

using Poco::Timespan;


namespace mail {


namespace {


/// Postfix smtpd_error_sleep_time: past limits.softErrors every error reply waits this long.
const Timespan kErrorSleep(1, 0);


bool isJunk(SmtpVerb verb)
/// Commands that cost the client nothing and move no mail forward (Postfix counts NOOP,
/// VRFY, ETRN and RSET against smtpd_junk_command_limit; HELP is as cheap).
{
	return verb == SmtpVerb::Noop || verb == SmtpVerb::Rset || verb == SmtpVerb::Vrfy || verb == SmtpVerb::Help;
}


} // namespace


const char* toString(SmtpSession::State state)
{
	switch (state)
	{
	case SmtpSession::State::Connected: return "Connected";
	case SmtpSession::State::Ready: return "Ready";
	case SmtpSession::State::Data: return "Data";
	case SmtpSession::State::Closing: return "Closing";
	}
	return "unknown";
}


const SmtpSession::CommandRow SmtpSession::kCommands[] = {
	{SmtpVerb::Helo, &SmtpSession::checkHelo, &SmtpSession::doHelo, true},
	{SmtpVerb::Ehlo, &SmtpSession::checkHelo, &SmtpSession::doEhlo, true},
	{SmtpVerb::Mail, &SmtpSession::checkMail, &SmtpSession::doMail, false},
	{SmtpVerb::Rcpt, &SmtpSession::checkRcpt, &SmtpSession::doRcpt, false},
	{SmtpVerb::Data, &SmtpSession::checkData, &SmtpSession::doData, false},
	{SmtpVerb::Bdat, &SmtpSession::checkBdat, &SmtpSession::doBdat, false},
	{SmtpVerb::Rset, &SmtpSession::checkNoArgument, &SmtpSession::doRset, true},
	{SmtpVerb::Noop, &SmtpSession::checkAlways, &SmtpSession::doNoop, true},
	{SmtpVerb::Quit, &SmtpSession::checkAlways, &SmtpSession::doQuit, true},
	{SmtpVerb::Vrfy, &SmtpSession::checkVrfy, &SmtpSession::doVrfy, true},
	{SmtpVerb::Help, &SmtpSession::checkAlways, &SmtpSession::doHelp, true},
	{SmtpVerb::Expn, &SmtpSession::refuseNotImplemented, &SmtpSession::doNothing, true},
	{SmtpVerb::Auth, &SmtpSession::checkAuth, &SmtpSession::doAuth, false},
	{SmtpVerb::Starttls, &SmtpSession::checkStarttls, &SmtpSession::doStarttls, true},
};


SmtpSession::SmtpSession(const ServerContext& context, Delivery& delivery, Poco::Net::StreamSocket& socket,
	const std::string& id, bool implicitTls):
	_context(context),
	_config(context.current()),
	_server(*_config),
	_limits(_config->limits),
	_delivery(delivery),
	_log(Poco::Logger::get("smtp")),
	_io(socket, id, _log),
	_implicitTls(implicitTls)
{
}


std::string SmtpSession::busyReply(const ServerConfig& server)
{
	return "421 4.7.0 " + server.name + " Error: too many connections\r\n";
}


void SmtpSession::run()
{
	try
	{
		_peer = _io.open(toTimespan(_limits.commandTimeout));
		const bool refused = faulted(FaultStage::Connect);
		if (!refused && _implicitTls) _io.startTls(_context.tls, toTimespan(_limits.commandTimeout));
		_context.events->sessionOpen(_io.id(), "smtp", _io.peer(), _io.secure());
		if (refused) _io.flush();
		else
		{
			if (_implicitTls) recordTls(*_context.events, _io);
			serve();
		}
	}
	catch (const Poco::Exception& exc)
	{
		if (_reason.empty()) _reason = "lost";
		_log.debug("%s connection error=%s", _io.id(), exc.displayText());
	}
	catch (const std::exception& exc)
	{
		_reason = "internal";
		_log.error("%s internal error=%s", _io.id(), std::string(exc.what()));
	}
	// Poco's macro formats only when the level asks (warning is the bench's level).
	poco_information_f(_log, "%s disconnected reason=%s messages=%z rejected=%z errors=%u", _io.id(), _reason, _messages,
		_rejected, _errors);
	_context.events->sessionClose(_io.id(), "smtp", _reason, _io.ageMs());
	// Every reply has gone out: the spool file of the next session's message is made now,
	// while its client connects (nothing when this server has spooled nothing yet).
	_delivery.prepareSpool();
}


void SmtpSession::serve()
{
	if (!faulted(FaultStage::Greeting)) reply(220, _server.name + " ESMTP");
	std::string line;
	while (_state != State::Closing)
	{
		if (_context.stopping)
		{
			closeShuttingDown();
			break;
		}
		if (_errors >= _limits.hardErrors)
		{
			reply(421, "4.7.0 " + _server.name + " Error: too many errors");
			closeWith("errors");
			break;
		}
		_io.flushUnlessPipelined();
		const ReadStatus status =
			_io.readLine(line, _limits.maxCommandLine - 2, _io.commandDeadline(_limits.commandTimeout, _limits.maxSessionTime));
		switch (status)
		{
		case ReadStatus::Ok:
			if (_log.debug()) _log.debug("%s <<< %s", _io.id(), quoteForLog(maskCredentials(line)));
			dispatch(line);
			break;
		case ReadStatus::TooLong:
			if (_log.debug()) _log.debug("%s <<< %s (too long)", _io.id(), quoteForLog(maskCredentials(line)));
			reply(500, "5.5.2 Error: line too long");
			break;
		case ReadStatus::Timeout:
			if (_io.lifetimeLeft(_limits.maxSessionTime) > 0) closeTimedOut();
			else closeLifetimeUsed();
			break;
		case ReadStatus::Closed:
			closeLost();
			break;
		}
	}
	_io.flush();
}


void SmtpSession::dispatch(const std::string& line)
{
	const SmtpCommand command = parseCommand(line);
	for (const auto& row: kCommands)
	{
		if (row.verb != command.verb) continue;
		if (_state == State::Connected && !row.beforeHelo)
		{
			reply(503, "5.5.1 Error: send HELO/EHLO first");
			return;
		}
		if (isJunk(command.verb) && ++_junkCommands > _limits.junkCommands)
		{
			reply(421, "4.7.0 " + _server.name + " Error: too many junk commands");
			closeWith("junk");
			return;
		}
		if ((this->*row.check)(command)) (this->*row.proceed)(command);
		return;
	}
	reply(500, "5.5.2 Error: command not recognized");
}


void SmtpSession::enterState(State state)
{
	if (state == _state) return;
	if (_log.debug())
		_log.debug("%s state %s -> %s", _io.id(), std::string(toString(_state)), std::string(toString(state)));
	_state = state;
}


// ---- checks: validate, reply 4xx/5xx on refusal

bool SmtpSession::checkHelo(const SmtpCommand& command)
{
	if (command.argument.empty())
	{
		reply(501, std::string("5.5.4 Syntax: ") + toString(command.verb) + " hostname");
		return false;
	}
	return !faulted(FaultStage::Ehlo);
}


bool SmtpSession::checkNoArgument(const SmtpCommand& command)
{
	if (command.argument.empty()) return true;
	reply(501, std::string("5.5.4 Syntax: ") + toString(command.verb));
	return false;
}


bool SmtpSession::checkVrfy(const SmtpCommand& command)
{
	if (!command.argument.empty()) return true;
	reply(501, "5.5.4 Syntax: VRFY address");
	return false;
}


bool SmtpSession::checkAlways(const SmtpCommand&)
{
	return true;
}


bool SmtpSession::refuseNotImplemented(const SmtpCommand&)
{
	reply(502, "5.5.1 Error: command not implemented");
	return false;
}


// ---- proceed: act, reply 2xx/3xx

void SmtpSession::doHelo(const SmtpCommand& command)
{
	_helo = command.argument;
	_esmtp = false;
	_tx.reset();
	enterState(State::Ready);
	_context.events->smtpHelo(_io.id(), _helo, false);
	reply(250, _server.name);
}


void SmtpSession::doEhlo(const SmtpCommand& command)
{
	_helo = command.argument;
	_esmtp = true;
	_tx.reset();
	enterState(State::Ready);
	_context.events->smtpHelo(_io.id(), _helo, true);
	std::vector<std::string> lines{_server.name, "PIPELINING", "SIZE " + std::to_string(_limits.maxMessageSize), "8BITMIME", "CHUNKING", "ENHANCEDSTATUSCODES", "HELP"};
	for (auto& keyword: authKeywords()) lines.push_back(std::move(keyword));
	replyLines(250, lines);
}


void SmtpSession::doRset(const SmtpCommand&)
{
	_tx.reset();
	reply(250, "2.0.0 Ok");
}


void SmtpSession::doNoop(const SmtpCommand&)
{
	reply(250, "2.0.0 Ok");
}


void SmtpSession::doQuit(const SmtpCommand&)
{
	reply(221, "2.0.0 Bye");
	closeWith("quit");
}


void SmtpSession::doVrfy(const SmtpCommand&)
{
	reply(252, "2.0.0 Cannot VRFY user, but will accept message and attempt delivery");
}


void SmtpSession::doHelp(const SmtpCommand&)
{
	reply(214, "2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");
}


void SmtpSession::doNothing(const SmtpCommand&)
{
}


// ---- replies and closing

void SmtpSession::reply(int code, const std::string& text)
{
	replyLines(code, {text});
}


void SmtpSession::replyLines(int code, const std::vector<std::string>& lines)
{
	poco_assert(code >= 200 && code <= 599);
	if (code >= 400)
	{
		++_errors;
		++_rejected;
		_log.warning("%s reject code=%d reason=%s", _io.id(), code, quoteForLog(lines.front()));
		if (_errors > _limits.softErrors && code != 421)
		{
			_io.flush();
			Poco::Thread::sleep(static_cast<long>(kErrorSleep.totalMilliseconds()));
		}
	}
	for (std::size_t i = 0; i < lines.size(); ++i)
		_io.send(std::to_string(code) + (i + 1 < lines.size() ? "-" : " ") + lines[i]);
}


void SmtpSession::closeWith(const std::string& reason)
{
	_reason = reason;
	enterState(State::Closing);
}


void SmtpSession::closeShuttingDown()
{
	reply(421, "4.3.2 " + _server.name + " Service shutting down");
	closeWith("shutdown");
}


void SmtpSession::closeTimedOut()
{
	reply(421, "4.4.2 " + _server.name + " Error: timeout exceeded");
	closeWith("timeout");
}


void SmtpSession::closeLifetimeUsed()
{
	reply(421, "4.4.2 " + _server.name + " Error: session time limit exceeded");
	closeWith("lifetime");
}


void SmtpSession::closeLost()
{
	// At shutdown the listener shuts our socket's receive side: say why before closing.
	if (_context.stopping) closeShuttingDown();
	else closeWith("lost");
}


} // namespace mail
