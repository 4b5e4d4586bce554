// smtp_session_transaction.cpp - the mail transaction of an SMTP session: MAIL, RCPT, DATA or BDAT, commit.
#include "server/smtp/smtp_session.h"

#include "common/ops/log.h"
#include "common/mail/mail_address.h"
#include "common/mail/mail_date.h"
#include "server/mail/mail_events.h"
#include "server/message/message_id.h"
#include "server/message/submission_cleanup.h"
#include "server/message/trace_headers.h"
#include "server/smtp/smtp_chunk_reader.h"
#include "server/smtp/smtp_data_reader.h"
#include "server/smtp/smtp_message_intake.h"
#include "server/mail/spool_file.h"

#include <Poco/Exception.h>
#include <Poco/Timestamp.h>


namespace {


/// Poco exceptions carry their text in displayText(), not what().
std::string describe(const std::exception& exc)
{
	if (const auto* poco = dynamic_cast<const Poco::Exception*>(&exc)) return poco->displayText();
	return exc.what();
}


} // namespace


namespace mail {


namespace {


void recordAccepted(MailEvents& events, const AcceptedEvent& accepted, const DeliveryResult& result)
/// message.accepted, then message.delivered for each local copy and message.queued for
/// the recipients the relay sends on, all dated when DATA ended: the relay may already
/// have looked up and sent the queued copy before these are recorded, and its events
/// must sort after them.
{
	events.messageAccepted(accepted);
	for (const std::string& account: result.accounts) events.messageDelivered(accepted.ids, account, result.maildir, accepted.committed);
	if (!result.remoteRecipients.empty()) events.messageQueued(accepted.ids, result.remoteRecipients, accepted.committed);
}


} // namespace


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
	_route = Delivery::route(_server, _args.address.address());
	if (_route.kind == DeliveryRoute::Kind::Refused)
	{
		reply(550, "5.1.0 " + _args.address.path() + ": Sender address rejected: not an account of " + _server.name);
		return false;
	}
	if (_route.kind == DeliveryRoute::Kind::Local && !checkSenderLogin(_route.account)) return false;
	return !faulted(FaultStage::Mail);
}


bool SmtpSession::checkRcpt(const SmtpCommand& command)
{
	if (!_tx)
	{
		reply(503, "5.5.1 Error: need MAIL command");
		return false;
	}
	if (_tx->envelope.recipients.size() >= _limits.maxRecipients)
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
	_route = Delivery::route(_server, _args.address.address());
	if (_route.kind == DeliveryRoute::Kind::Refused)
	{
		reply(_route.code, _route.reason);
		return false;
	}
	if (_route.kind == DeliveryRoute::Kind::Remote && !_tx->senderLocal
		&& !_server.isRelayDomain(domainOf(_args.address.address())))
	{
		// Never an open relay: only our own senders may send elsewhere, and anyone may
		// send to the domains this server is a backup MX for (relay_domains).
		reply(550, "5.1.1 " + _args.address.path() + ": Recipient address rejected: relay access denied");
		return false;
	}
	return !faulted(FaultStage::Rcpt);
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
	if (_tx->envelope.recipients.empty())
	{
		reply(503, "5.5.1 Error: need RCPT command");
		return false;
	}
	if (_tx->intake)
	{
		reply(503, "5.5.1 Error: DATA after BDAT (RFC 3030: a message is sent one way)");
		return false;
	}
	return !faulted(FaultStage::Data);
}


bool SmtpSession::checkBdat(const SmtpCommand& command)
{
	_bdat = parseBdatArguments(command.argument);
	if (!_bdat.ok)
	{
		// The chunk's length is unknown: what follows is read as commands.
		reply(501, "5.5.4 Syntax: BDAT chunk-size [LAST]");
		return false;
	}
	// RFC 3030 section 2: a refused chunk is still read and dropped (it may be pipelined
	// with more), and the transaction is over: later chunks get 503 until a new MAIL.
	if (!_tx)
	{
		reply(503, "5.5.1 Error: need MAIL command");
		consumeChunk();
		return false;
	}
	if (_tx->envelope.recipients.empty())
	{
		reply(503, "5.5.1 Error: need RCPT command");
		_tx.reset();
		consumeChunk();
		return false;
	}
	if (!_tx->intake && faulted(FaultStage::Data))
	{
		_tx.reset();
		if (_state != State::Closing) consumeChunk();
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
	tx.envelope.sender = tx.sender.address();
	_tx = std::move(tx);
	reply(250, "2.1.0 Ok");
	// The reply goes out first; the spool file this transaction's DATA will take is made
	// (if none is spare) while the client sends its RCPT.
	_io.flushUnlessPipelined();
	_delivery.prepareSpool();
}


void SmtpSession::doRcpt(const SmtpCommand&)
{
	// A recipient given twice is listed twice (it counts towards limits.max_recipients);
	// Delivery stores or queues it once. Its route goes with it: delivery never asks again.
	_tx->envelope.recipients.push_back({_args.address.address(), _route});
	reply(250, "2.1.5 Ok");
}


DataLimits SmtpSession::dataLimits() const
{
	return {_limits.maxMessageSize, _limits.maxTextLine, toTimespan(_limits.dataTimeout)};
}


bool SmtpSession::openIntake()
{
	// Stream into a spool file from the first line: the session holds one small buffer,
	// never the message (150 sessions x 10 MB must not cost 1.5 GB).
	// The message's one id, minted here: the Received: field, the 250 reply, the Maildir
	// name, the queue entry and every event carry it.
	_tx->envelope.id = newEnvelopeId();
	const std::string& id = _tx->envelope.id;
	try
	{
		std::unique_ptr<SpoolFile> spool = _delivery.openSpool(_tx->envelope);
		spool->writeCrlfText(traceHeader(id));
		// Only our own users' submissions are cleaned up; relayed mail keeps its header.
		_tx->intake = std::make_shared<MessageIntake>(std::move(spool), _tx->senderLocal, rfc5322Date(Poco::Timestamp()),
			"<" + id + "." + std::to_string(Poco::Timestamp().epochMicroseconds()) + "@" + _server.name + ">", dataLimits());
		return true;
	}
	catch (const std::exception& exc)
	{
		_log.error("%s spool failed from=%s error=%s", _io.id(), logPath(_tx->sender.address()), quoteForLog(describe(exc)));
		reply(451, "4.3.0 Error: queue file write error");
		_tx.reset();
		return false;
	}
}


void SmtpSession::doData(const SmtpCommand&)
{
	if (!openIntake()) return;
	reply(354, "End data with <CR><LF>.<CR><LF>");
	_io.flushUnlessPipelined();
	enterState(State::Data);
	const DataStatus status = readData(_io.reader(), dataLimits(), _tx->intake->sink);
	enterState(State::Ready);
	endMessage(status);
}


void SmtpSession::doBdat(const SmtpCommand&)
{
	if (!_tx->intake && !openIntake())
	{
		consumeChunk(); // refused with 451 and the transaction is over
		return;
	}
	ChunkDecoder& chunks = _tx->intake->chunks;
	enterState(State::Data);
	const DataStatus status = readChunk(_io.reader(), _bdat.size, toTimespan(_limits.dataTimeout), &chunks);
	enterState(State::Ready);
	if (status != DataStatus::Ok || chunks.verdict() != DataStatus::Ok)
	{
		endMessage(status != DataStatus::Ok ? status : chunks.verdict());
		return;
	}
	if (!_bdat.last)
	{
		reply(250, "2.0.0 Ok: " + std::to_string(_bdat.size) + " octets received");
		return;
	}
	chunks.finish();
	endMessage(chunks.verdict());
}


void SmtpSession::consumeChunk()
{
	enterState(State::Data);
	const DataStatus status = readChunk(_io.reader(), _bdat.size, toTimespan(_limits.dataTimeout), nullptr);
	enterState(State::Ready);
	if (status == DataStatus::Timeout) closeTimedOut();
	else if (status == DataStatus::Closed) closeLost();
}


void SmtpSession::endMessage(DataStatus status)
{
	// The spool file goes when this returns, after the reply is on its way.
	const std::shared_ptr<MessageIntake> intake = std::move(_tx->intake);
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
	if (faulted(FaultStage::EndOfData))
	{
		_tx.reset(); // and the spool file is removed on return: nothing stored, nothing queued
		return;
	}
	++_messages;
	_junkCommands = 0; // as Postfix: a client delivering mail earns its RSETs and NOOPs
	const std::string id = _tx->envelope.id;
	try
	{
		intake->sink.end();
		commit(id, *intake->spool, intake->tap.messageId());
	}
	catch (const std::exception& exc)
	{
		_log.error("%s store failed from=%s error=%s", _io.id(), logPath(_tx->sender.address()), quoteForLog(describe(exc)));
		reply(451, "4.3.0 Error: queue file write error");
	}
	_tx.reset();
	// The reply goes out now: the spool name's unlink (when intake goes out of scope)
	// then overlaps with the client's next command instead of delaying the 250 it waits
	// for; the message is already durable in new/ (or the queue). The next message's
	// spool file is made at its MAIL or when this session ends (run()), not here: a
	// client that QUITs after its 250 would wait for that file's creation (0.2 ms of the
	// 1-session, connection-per-message cell, bench/results/notes.md).
	_io.flushUnlessPipelined();
}


std::string SmtpSession::traceHeader(const std::string& id) const
{
	TraceInfo trace;
	trace.helo = _helo;
	trace.peerAddress = _peer;
	trace.byHost = _server.name;
	// RFC 3848: ESMTPS over TLS, ESMTPA after AUTH, ESMTPSA both.
	trace.protocol = _esmtp ? std::string("ESMTP") + (_io.secure() ? "S" : "") + (_authAccount.empty() ? "" : "A")
							: "SMTP";
	trace.tls = _io.tls();
	trace.id = id;
	if (_tx->envelope.recipients.size() == 1) trace.forRecipient = "<" + _tx->envelope.recipients.front().address + ">";
	return traceHeaders(trace);
}


void SmtpSession::commit(const std::string& id, SpoolFile& spool, const std::string& messageId)
{
	const std::int64_t committed = Poco::Timestamp().epochMicroseconds();
	const DeliveryResult result = _delivery.deliver(_tx->envelope, spool);
	// "queued as" names the id the journal's message.accepted carries: the previous hop's
	// relay.attempt links to this server's events through it.
	const std::string text = "2.0.0 Ok: queued as " + id;
	if (_context.events->enabled())
		recordAccepted(*_context.events, AcceptedEvent{_io.id(), MessageIds{id, messageId}, _tx->sender.address(), _tx->envelope.addresses(), result.size, _io.peer(), _helo, "250 " + text, committed}, result);
	reply(250, text);
	// Poco's macro formats only when the level asks (warning is the bench's level).
	poco_information_f(_log, "%s accepted id=%s from=%s rcpts=%z local=%z remote=%z size=%Lu maildir=%s queue=%s", _io.id(),
		id, logPath(_tx->sender.address()), _tx->envelope.recipients.size(), result.local, result.remote,
		static_cast<Poco::UInt64>(result.size), result.maildir.empty() ? std::string("-") : result.maildir,
		result.queued ? id : std::string("-"));
}


} // namespace mail
