// smtp_session.cpp - one SMTP session: a blocking loop, explicit input states, a command table.
#include "server/smtp/smtp_session.h"

#include "common/log.h"
#include "server/store/maildir_store.h"
#include "server/relay/relay_queue.h"
#include "server/smtp/smtp_data_reader.h"
#include "server/message/trace_headers.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Thread.h>

#include <algorithm>

using Poco::Timespan;


namespace mail {


namespace {


/// Postfix smtpd_error_sleep_time: past limits.softErrors every error reply waits this long.
const Timespan kErrorSleep(1, 0);


Timespan toTimespan(Seconds seconds)
{
	return Timespan(static_cast<long>(seconds.count()), 0);
}


std::string domainOf(const MailAddress& address)
{
	return address.domain;
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
	{SmtpVerb::Rset, &SmtpSession::checkNoArgument, &SmtpSession::doRset, true},
	{SmtpVerb::Noop, &SmtpSession::checkAlways, &SmtpSession::doNoop, true},
	{SmtpVerb::Quit, &SmtpSession::checkAlways, &SmtpSession::doQuit, true},
	{SmtpVerb::Vrfy, &SmtpSession::checkVrfy, &SmtpSession::doVrfy, true},
	{SmtpVerb::Help, &SmtpSession::checkAlways, &SmtpSession::doHelp, true},
	{SmtpVerb::Expn, &SmtpSession::refuseNotImplemented, &SmtpSession::doNothing, true},
	// Reserved for the hardening issue (submission.require_auth, TLS): not offered yet.
	{SmtpVerb::Auth, &SmtpSession::refuseNotImplemented, &SmtpSession::doNothing, false},
	{SmtpVerb::Starttls, &SmtpSession::refuseNotImplemented, &SmtpSession::doNothing, true},
};


SmtpSession::SmtpSession(ServerContext& context, MaildirStore& store, RelayQueue& queue,
	Poco::Net::StreamSocket& socket, const std::string& id):
	_context(context),
	_server(context.server),
	_limits(context.server.limits),
	_store(store),
	_queue(queue),
	_socket(socket),
	_id(id),
	_log(Poco::Logger::get("smtp")),
	_reader(socket)
{
}


void SmtpSession::run()
{
	try
	{
		_peer = _socket.peerAddress().host().toString();
		_log.information("%s connect peer=%s", _id, _socket.peerAddress().toString());
		_socket.setNoDelay(true);
		_socket.setSendTimeout(toTimespan(_limits.commandTimeout));
		serve();
	}
	catch (const Poco::Exception& exc)
	{
		if (_reason.empty()) _reason = "lost";
		_log.debug("%s connection error=%s", _id, exc.displayText());
	}
	catch (const std::exception& exc)
	{
		_reason = "internal";
		_log.error("%s internal error=%s", _id, std::string(exc.what()));
	}
	_log.information("%s disconnect reason=%s messages=%z rejected=%z errors=%u", _id, _reason, _messages, _rejected, _errors);
}


void SmtpSession::serve()
{
	reply(220, _server.name + " ESMTP");
	std::string line;
	while (_state != State::Closing)
	{
		if (_context.stopping)
		{
			reply(421, "4.3.2 " + _server.name + " Service shutting down");
			closeWith("shutdown");
			break;
		}
		if (_errors >= _limits.hardErrors)
		{
			reply(421, "4.7.0 " + _server.name + " Error: too many errors");
			closeWith("errors");
			break;
		}
		if (_reader.buffered() == 0) flush();
		const ReadStatus status = _reader.readLine(line, _limits.maxCommandLine - 2, toTimespan(_limits.commandTimeout));
		switch (status)
		{
		case ReadStatus::Ok:
			_log.debug("%s <<< %s", _id, quoteForLog(line));
			dispatch(line);
			break;
		case ReadStatus::TooLong:
			_log.debug("%s <<< %s (too long)", _id, quoteForLog(line));
			reply(500, "5.5.2 Error: line too long");
			break;
		case ReadStatus::Timeout:
			reply(421, "4.4.2 " + _server.name + " Error: timeout exceeded");
			closeWith("timeout");
			break;
		case ReadStatus::Closed:
			if (_context.stopping)
			{
				reply(421, "4.3.2 " + _server.name + " Service shutting down");
				closeWith("shutdown");
			}
			else
			{
				closeWith("lost");
			}
			break;
		}
	}
	flush();
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
		if ((this->*row.check)(command)) (this->*row.proceed)(command);
		return;
	}
	reply(500, "5.5.2 Error: command not recognized");
}


void SmtpSession::enterState(State state)
{
	if (state == _state) return;
	_log.debug("%s state %s -> %s", _id, std::string(toString(_state)), std::string(toString(state)));
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
	return true;
}


bool SmtpSession::checkMail(const SmtpCommand&)
{
	if (_tx)
	{
		reply(503, "5.5.1 Error: nested MAIL command");
		return false;
	}
	if (_messages >= _limits.maxMessagesPerSession)
	{
		reply(452, "4.5.3 Error: too many messages in this session");
		return false;
	}
	return true;
}


bool SmtpSession::checkRcpt(const SmtpCommand&)
{
	if (!_tx)
	{
		reply(503, "5.5.1 Error: need MAIL command");
		return false;
	}
	if (_tx->recipients.size() >= _limits.maxRecipients)
	{
		reply(452, "4.5.3 Error: too many recipients");
		return false;
	}
	return true;
}


bool SmtpSession::checkData(const SmtpCommand& command)
{
	if (!command.argument.empty())
	{
		reply(501, "5.5.4 Syntax: DATA");
		return false;
	}
	if (!_tx)
	{
		reply(503, "5.5.1 Error: need MAIL command");
		return false;
	}
	if (_tx->recipients.empty())
	{
		reply(503, "5.5.1 Error: need RCPT command");
		return false;
	}
	return true;
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


// ---- proceed: act, reply 2xx/3xx (or a policy refusal found while acting)

void SmtpSession::doHelo(const SmtpCommand& command)
{
	_helo = command.argument;
	_esmtp = false;
	_tx.reset();
	enterState(State::Ready);
	reply(250, _server.name);
}


void SmtpSession::doEhlo(const SmtpCommand& command)
{
	_helo = command.argument;
	_esmtp = true;
	_tx.reset();
	enterState(State::Ready);
	replyLines(250, {_server.name, "PIPELINING", "SIZE " + std::to_string(_limits.maxMessageSize), "8BITMIME",
		"ENHANCEDSTATUSCODES", "HELP"});
}


void SmtpSession::doMail(const SmtpCommand& command)
{
	const MailArguments args = parseMailArguments(command.argument);
	if (!args.ok)
	{
		reply(args.error.code, args.error.text);
		return;
	}
	if (args.hasSize && args.size > _limits.maxMessageSize)
	{
		reply(552, "5.3.4 Message size exceeds fixed limit");
		return;
	}
	Transaction tx;
	tx.sender = args.address;
	if (!args.address.isNull() && _server.isLocalDomain(domainOf(args.address)))
	{
		if (!_server.accountFor(args.address.address()))
		{
			reply(550, "5.1.0 " + args.address.path() + ": Sender address rejected: not an account of " + _server.name);
			return;
		}
		tx.senderLocal = true;
	}
	_tx = tx;
	reply(250, "2.1.0 Ok");
}


void SmtpSession::doRcpt(const SmtpCommand& command)
{
	const MailArguments args = parseRcptArguments(command.argument);
	if (!args.ok)
	{
		reply(args.error.code, args.error.text);
		return;
	}
	const std::string address = args.address.address();
	if (_server.isLocalDomain(domainOf(args.address)))
	{
		const std::string* account = _server.accountFor(address);
		if (!account)
		{
			reply(550, "5.1.1 " + args.address.path() + ": Recipient address rejected: User unknown in local recipient table");
			return;
		}
		if (std::find(_tx->localMailboxes.begin(), _tx->localMailboxes.end(), *account) == _tx->localMailboxes.end())
			_tx->localMailboxes.push_back(*account);
	}
	else if (_tx->senderLocal)
	{
		if (std::find(_tx->remoteRecipients.begin(), _tx->remoteRecipients.end(), address) == _tx->remoteRecipients.end())
			_tx->remoteRecipients.push_back(address);
	}
	else
	{
		reply(550, "5.1.1 " + args.address.path() + ": Recipient address rejected: relay access denied");
		return;
	}
	_tx->recipients.push_back(address);
	reply(250, "2.1.5 Ok");
}


void SmtpSession::doData(const SmtpCommand&)
{
	reply(354, "End data with <CR><LF>.<CR><LF>");
	if (_reader.buffered() == 0) flush();
	enterState(State::Data);
	std::string content;
	const DataStatus status = readData(_reader,
		{_limits.maxMessageSize, _limits.maxTextLine, toTimespan(_limits.dataTimeout)}, content);
	enterState(State::Ready);
	switch (status)
	{
	case DataStatus::Ok:
		break;
	case DataStatus::TooBig:
		reply(552, "5.3.4 Error: message file too big");
		_tx.reset();
		return;
	case DataStatus::LineTooLong:
		reply(500, "5.5.2 Error: text line longer than " + std::to_string(_limits.maxTextLine) + " octets");
		_tx.reset();
		return;
	case DataStatus::Timeout:
		reply(421, "4.4.2 " + _server.name + " Error: timeout exceeded");
		closeWith("timeout");
		return;
	case DataStatus::Closed:
		if (_context.stopping) reply(421, "4.3.2 " + _server.name + " Service shutting down");
		closeWith(_context.stopping ? "shutdown" : "lost");
		return;
	}
	++_messages;
	try
	{
		const std::string id = commit(content);
		reply(250, "2.0.0 Ok: queued as " + id);
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s store failed from=%s error=%s", _id, _tx->sender.path(), exc.displayText());
		reply(451, "4.3.0 Error: queue file write error");
	}
	catch (const std::exception& exc)
	{
		_log.error("%s store failed from=%s error=%s", _id, _tx->sender.path(), std::string(exc.what()));
		reply(451, "4.3.0 Error: queue file write error");
	}
	_tx.reset();
}


std::string SmtpSession::commit(const std::string& content)
{
	const std::string id = newSessionId();
	TraceInfo trace;
	trace.reversePath = _tx->sender.path();
	trace.helo = _helo;
	trace.peerAddress = _peer;
	trace.byHost = _server.name;
	trace.protocol = _esmtp ? "ESMTP" : "SMTP";
	trace.id = id;
	if (_tx->recipients.size() == 1) trace.forRecipient = "<" + _tx->recipients.front() + ">";
	const std::string message = traceHeaders(trace) + content;
	// Local copies first, then the relay queue. A queue failure after local success still
	// answers 451 for the whole message: the client retries and a local recipient may get
	// a duplicate, but nothing is ever lost.
	std::string stored;
	if (!_tx->localMailboxes.empty()) stored = _store.deliver(_tx->localMailboxes, message);
	std::string queued;
	if (!_tx->remoteRecipients.empty()) queued = _queue.enqueue(_tx->sender.address(), _tx->remoteRecipients, message);
	_log.information("%s accepted id=%s from=%s rcpts=%z local=%z remote=%z size=%z maildir=%s queue=%s", _id, id,
		_tx->sender.path(), _tx->recipients.size(), _tx->localMailboxes.size(), _tx->remoteRecipients.size(),
		message.size(), stored.empty() ? std::string("-") : stored, queued.empty() ? std::string("-") : queued);
	return id;
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
	reply(214, "2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
}


void SmtpSession::doNothing(const SmtpCommand&)
{
}


// ---- output

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
		_log.warning("%s reject code=%d reason=%s", _id, code, quoteForLog(lines.front()));
		if (_errors > _limits.softErrors && code != 421)
		{
			flush();
			Poco::Thread::sleep(static_cast<long>(kErrorSleep.totalMilliseconds()));
		}
	}
	for (std::size_t i = 0; i < lines.size(); ++i)
	{
		const std::string line = std::to_string(code) + (i + 1 < lines.size() ? "-" : " ") + lines[i];
		_log.debug("%s >>> %s", _id, quoteForLog(line));
		_out += line + "\r\n";
	}
}


void SmtpSession::flush()
{
	std::size_t sent = 0;
	while (sent < _out.size())
	{
		const int n = _socket.sendBytes(_out.data() + sent, static_cast<int>(_out.size() - sent));
		if (n <= 0) throw Poco::IOException("send failed");
		sent += static_cast<std::size_t>(n);
	}
	_out.clear();
}


void SmtpSession::closeWith(const std::string& reason)
{
	_reason = reason;
	enterState(State::Closing);
}


} // namespace mail
