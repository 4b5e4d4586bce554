// pop3_session_transaction.cpp - the TRANSACTION state of a POP3 session: STAT LIST RETR DELE NOOP RSET TOP UIDL.
#include "server/pop3/pop3_session.h"

#include "common/ops/log.h"
#include "server/mail/mail_events.h"


namespace mail {


namespace {


/// Keep at most this much scratch capacity between commands (a 10 MB RETR is not kept).
constexpr std::size_t kKeepCapacity = std::size_t{1024} * 1024;


void trimBuffer(std::string& buffer)
{
	if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
	else buffer.clear();
}


template <typename Field>
void appendListing(std::string& out, const Mailbox& mailbox, Field field)
/// The body of a multi-line LIST or UIDL: "N field" per live message, then ".".
{
	for (std::size_t n = 1; n <= mailbox.count(); ++n)
	{
		const MailboxMessage& message = mailbox.message(n);
		if (message.deleted) continue;
		out += std::to_string(n);
		out += ' ';
		out += field(message);
		out += "\r\n";
	}
	out += ".\r\n";
}


} // namespace


void Pop3Session::doStat(const Pop3Command&)
{
	ok(std::to_string(_mailbox->liveCount()) + " " + std::to_string(_mailbox->liveSize()));
}


void Pop3Session::doList(const Pop3Command& cmd)
{
	if (cmd.numberCount == 1)
	{
		if (checkMessage(cmd)) ok(std::to_string(cmd.numbers[0]) + " " + std::to_string(_mailbox->message(cmd.numbers[0]).size));
		return;
	}
	ok(countOctets(_mailbox->liveCount(), _mailbox->liveSize()));
	appendListing(_io.buffer(), *_mailbox, [](const MailboxMessage& message) { return std::to_string(message.size); });
}


void Pop3Session::doRetr(const Pop3Command& cmd)
{
	if (!checkMessage(cmd) || faulted(FaultStage::Retr, _account)) return;
	const std::uint64_t n = cmd.numbers[0];
	const std::shared_ptr<const CrlfText> text = _mailbox->read(n, _scratch);
	trimBuffer(_scratch);
	if (!text)
	{
		_log.error("%s cannot read message user=%s path=%s", _io.id(), quoteForLog(_account), _mailbox->message(n).path);
		err("[SYS/TEMP] cannot read message " + std::to_string(n));
		return;
	}
	ok(std::to_string(_mailbox->message(n).size) + " octets");
	// Sent from the cache's copy itself, no copy into the reply buffer.
	_io.attach(std::shared_ptr<const std::string>(text, &text->retrText()));
	appendRetrEnd(_io.buffer(), text->text);
	++_retrieved;
	_context.events->pop3Retr(_io.id(), _account, _mailbox->message(n).path, text->messageId, _mailbox->message(n).size);
}


void Pop3Session::doDele(const Pop3Command& cmd)
{
	if (!checkMessage(cmd)) return;
	if (_lock.readOnly())
	{
		// Refused here, not at QUIT: the client learns at once that the message stays.
		err("[SYS/PERM] mailbox is read-only; messages cannot be deleted");
		return;
	}
	_context.events->pop3Dele(_io.id(), _account, _mailbox->message(cmd.numbers[0]).path);
	_mailbox->markDeleted(cmd.numbers[0]);
	ok("message " + std::to_string(cmd.numbers[0]) + " deleted");
}


void Pop3Session::doNoop(const Pop3Command&)
{
	ok("");
}


void Pop3Session::doRset(const Pop3Command&)
{
	_mailbox->undeleteAll();
	ok("maildrop has " + countOctets(_mailbox->liveCount(), _mailbox->liveSize()));
}


void Pop3Session::doTop(const Pop3Command& cmd)
{
	if (!checkMessage(cmd) || faulted(FaultStage::Retr, _account)) return;
	const std::uint64_t n = cmd.numbers[0];
	std::string& out = _io.buffer();
	const std::size_t mark = out.size();
	ok("top of message follows");
	if (!_mailbox->appendTop(n, cmd.numbers[1], out, _scratch))
	{
		out.resize(mark);
		_log.error("%s cannot read message user=%s path=%s", _io.id(), quoteForLog(_account), _mailbox->message(n).path);
		err("[SYS/TEMP] cannot read message " + std::to_string(n));
	}
	trimBuffer(_scratch);
}


void Pop3Session::doUidl(const Pop3Command& cmd)
{
	if (cmd.numberCount == 1)
	{
		if (checkMessage(cmd)) ok(std::to_string(cmd.numbers[0]) + " " + _mailbox->message(cmd.numbers[0]).uid);
		return;
	}
	ok("unique-id listing follows");
	appendListing(_io.buffer(), *_mailbox, [](const MailboxMessage& message) { return message.uid; });
}


bool Pop3Session::checkMessage(const Pop3Command& cmd)
{
	const std::uint64_t n = cmd.numbers[0];
	if (n >= 1 && n <= _mailbox->count() && _mailbox->message(n).deleted)
	{
		err("message " + std::to_string(n) + " already deleted");
		return false;
	}
	if (!_mailbox->exists(n))
	{
		err("no such message, only " + std::to_string(_mailbox->count()) + " in maildrop");
		return false;
	}
	return true;
}


} // namespace mail
