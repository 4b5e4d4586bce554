// smtp_session_transaction.cpp - the mail transaction of an SMTP session: MAIL, RCPT, DATA, commit.
#include "server/smtp/smtp_session.h"

#include "common/log.h"
#include "server/message/trace_headers.h"
#include "server/smtp/smtp_data_reader.h"

#include <Poco/Exception.h>


namespace mail {


// ---- checks: parse the argument, apply the policy, reply 4xx/5xx on refusal; keep the
// parsed address (_args) and its route (_route) for the proceed step

bool SmtpSession::checkMail(const SmtpCommand& command)
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
	_args = parseMailArguments(command.argument);
	if (!_args.ok)
	{
		reply(_args.error.code, _args.error.text);
		return false;
	}
	if (_args.hasSize && _args.size > _limits.maxMessageSize)
	{
		reply(552, "5.3.4 Message size exceeds fixed limit");
		return false;
	}
	// The null sender routes as Remote: it counts as foreign.
	_route = _delivery.route(_args.address.address());
	if (_route.kind == DeliveryRoute::Kind::Refused)
	{
		reply(550, "5.1.0 " + _args.address.path() + ": Sender address rejected: not an account of " + _server.name);
		return false;
	}
	return true;
}


bool SmtpSession::checkRcpt(const SmtpCommand& command)
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
	_args = parseRcptArguments(command.argument);
	if (!_args.ok)
	{
		reply(_args.error.code, _args.error.text);
		return false;
	}
	_route = _delivery.route(_args.address.address());
	if (_route.kind == DeliveryRoute::Kind::Refused)
	{
		reply(_route.code, _route.reason);
		return false;
	}
	if (_route.kind == DeliveryRoute::Kind::Remote && !_tx->senderLocal)
	{
		// Never an open relay: only our own senders may send elsewhere.
		reply(550, "5.1.1 " + _args.address.path() + ": Recipient address rejected: relay access denied");
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


// ---- proceed: act on what the check kept, reply 2xx/3xx

void SmtpSession::doMail(const SmtpCommand&)
{
	Transaction tx;
	tx.sender = _args.address;
	tx.senderLocal = _route.kind == DeliveryRoute::Kind::Local;
	_tx = tx;
	reply(250, "2.1.0 Ok");
}


void SmtpSession::doRcpt(const SmtpCommand&)
{
	// A recipient given twice is listed twice (it counts towards limits.max_recipients);
	// Delivery stores or queues it once.
	_tx->recipients.push_back(_args.address.address());
	reply(250, "2.1.5 Ok");
}


void SmtpSession::doData(const SmtpCommand&)
{
	reply(354, "End data with <CR><LF>.<CR><LF>");
	_io.flushUnlessPipelined();
	enterState(State::Data);
	std::string content;
	const DataStatus status = readData(_io.reader(),
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
		closeTimedOut();
		return;
	case DataStatus::Closed:
		closeLost();
		return;
	}
	++_messages;
	_junkCommands = 0; // as Postfix: a client delivering mail earns its RSETs and NOOPs
	try
	{
		const std::string id = commit(content);
		reply(250, "2.0.0 Ok: queued as " + id);
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s store failed from=%s error=%s", _io.id(), logPath(_tx->sender.address()), quoteForLog(exc.displayText()));
		reply(451, "4.3.0 Error: queue file write error");
	}
	catch (const std::exception& exc)
	{
		_log.error("%s store failed from=%s error=%s", _io.id(), logPath(_tx->sender.address()), quoteForLog(exc.what()));
		reply(451, "4.3.0 Error: queue file write error");
	}
	_tx.reset();
}


std::string SmtpSession::commit(const std::string& content)
{
	const std::string id = newSessionId();
	TraceInfo trace;
	trace.helo = _helo;
	trace.peerAddress = _peer;
	trace.byHost = _server.name;
	trace.protocol = _esmtp ? "ESMTP" : "SMTP";
	trace.id = id;
	if (_tx->recipients.size() == 1) trace.forRecipient = "<" + _tx->recipients.front() + ">";
	const std::string message = traceHeaders(trace) + content;
	const DeliveryResult result = _delivery.deliver(_tx->sender.address(), _tx->recipients, message);
	_log.information("%s accepted id=%s from=%s rcpts=%z local=%z remote=%z size=%z maildir=%s queue=%s", _io.id(),
		id, logPath(_tx->sender.address()), _tx->recipients.size(), result.local, result.remote, message.size(),
		result.maildir.empty() ? std::string("-") : result.maildir,
		result.queueId.empty() ? std::string("-") : result.queueId);
	return id;
}


} // namespace mail
