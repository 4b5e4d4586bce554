// pop3_session.cpp - one POP3 conversation (RFC 1939 + RFC 2449): states, verb tables, replies.
#include "server/pop3/pop3_session.h"

#include "common/log.h"
#include "server/store/maildir.h"

#include <Poco/Exception.h>
#include <Poco/Thread.h>

#include <sys/socket.h>

using Poco::Net::StreamSocket;


namespace mail {


namespace {


/// Send once this much output is collected, even if the client pipelined more commands.
constexpr std::size_t kFlushThreshold = 256 * 1024;
/// Keep at most this much buffer capacity between commands (a 10 MB RETR is not kept).
constexpr std::size_t kKeepCapacity = 1024 * 1024;
/// RFC 2449 section 4: a command line is at most 255 octets including CRLF.
constexpr std::size_t kLineTerminator = 2;


std::string countOctets(std::size_t count, std::uint64_t octets)
{
	return std::to_string(count) + (count == 1 ? " message (" : " messages (") + std::to_string(octets) + " octets)";
}


template <typename Entry, std::size_t N>
const Entry* findVerb(const Entry (&table)[N], Pop3Verb verb)
{
	for (const Entry& entry: table)
	{
		if (entry.verb == verb) return &entry;
	}
	return nullptr;
}


void trimBuffer(std::string& buffer)
{
	if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
	else buffer.clear();
}


} // namespace


const Poco::Timespan Pop3Session::kAuthFailureDelay(1, 0);


const char* toString(Pop3State state)
{
	switch (state)
	{
	case Pop3State::Authorization: return "AUTHORIZATION";
	case Pop3State::Transaction: return "TRANSACTION";
	case Pop3State::Update: return "UPDATE";
	case Pop3State::Closed: return "CLOSED";
	}
	return "UNKNOWN";
}


Pop3Session::Pop3Session(StreamSocket& socket, const std::string& sessionId, const ServerContext& context):
	_socket(socket),
	_id(sessionId),
	_context(context),
	_limits(context.server.limits),
	_log(Poco::Logger::get("pop3")),
	_reader(socket)
{
}


Pop3Session::~Pop3Session() = default;


void Pop3Session::run()
{
	std::string peer = "unknown";
	try
	{
		peer = _socket.peerAddress().toString();
		_socket.setNoDelay(true);
		_socket.setSendTimeout(Poco::Timespan(_limits.popTimeout.count(), 0));
	}
	catch (const Poco::Exception& exc)
	{
		_log.debug("%s socket setup failed error=%s", _id, exc.displayText());
	}
	_log.information("%s connected peer=%s", _id, peer);
	const Poco::Timespan idle(_limits.popTimeout.count(), 0);
	const std::size_t maxLine = _limits.maxPopCommandLine - kLineTerminator;
	std::string line;
	try
	{
		ok(_context.server.name + " POP3 server ready");
		flush();
		while (_state != Pop3State::Closed)
		{
			if (_context.stopping)
			{
				err("[SYS/TEMP] " + _context.server.name + " POP3 server shutting down");
				close("shutdown");
				break;
			}
			const ReadStatus status = _reader.readLine(line, maxLine, idle);
			if (status == ReadStatus::Ok)
			{
				dispatch(line);
			}
			else if (status == ReadStatus::TooLong)
			{
				protocolError("command line too long (at most " + std::to_string(_limits.maxPopCommandLine) + " octets)");
			}
			else if (status == ReadStatus::Timeout)
			{
				err("[SYS/TEMP] idle for too long, closing connection");
				close("timeout");
			}
			else if (_context.stopping)
			{
				continue; // the listener shut our socket down: say why at the top of the loop
			}
			else
			{
				_closeReason = "lost";
				break;
			}
			if (_reader.buffered() == 0 || _out.size() >= kFlushThreshold) flush();
		}
		flush();
	}
	catch (const Poco::Exception& exc)
	{
		_closeReason = "lost";
		_log.debug("%s send failed error=%s", _id, exc.displayText());
	}
	_lock.release();
	_log.information("%s disconnected reason=%s user=%s retrieved=%z errors=%u", _id, _closeReason,
		quoteForLog(_account.empty() ? _user : _account), _retrieved, _errors);
}


const Pop3Session::VerbEntry* Pop3Session::lookup(Pop3Verb verb) const
{
	static const VerbEntry kAuthorization[] = {
		{Pop3Verb::User, &Pop3Session::doUser},
		{Pop3Verb::Pass, &Pop3Session::doPass},
		{Pop3Verb::Apop, &Pop3Session::doRefused},
		{Pop3Verb::Auth, &Pop3Session::doRefused},
		{Pop3Verb::Stls, &Pop3Session::doRefused},
		{Pop3Verb::Capa, &Pop3Session::doCapa},
		{Pop3Verb::Quit, &Pop3Session::doQuit},
	};
	static const VerbEntry kTransaction[] = {
		{Pop3Verb::Stat, &Pop3Session::doStat},
		{Pop3Verb::List, &Pop3Session::doList},
		{Pop3Verb::Retr, &Pop3Session::doRetr},
		{Pop3Verb::Dele, &Pop3Session::doDele},
		{Pop3Verb::Noop, &Pop3Session::doNoop},
		{Pop3Verb::Rset, &Pop3Session::doRset},
		{Pop3Verb::Top, &Pop3Session::doTop},
		{Pop3Verb::Uidl, &Pop3Session::doUidl},
		{Pop3Verb::Capa, &Pop3Session::doCapa},
		{Pop3Verb::Quit, &Pop3Session::doQuit},
	};
	if (_state == Pop3State::Authorization) return findVerb(kAuthorization, verb);
	if (_state == Pop3State::Transaction) return findVerb(kTransaction, verb);
	return nullptr;
}


void Pop3Session::dispatch(const std::string& line)
{
	const Pop3Command cmd = parsePop3Command(line);
	if (_log.debug())
	{
		_log.debug("%s <<< %s", _id, cmd.verb == Pop3Verb::Pass ? std::string("PASS ****") : quoteForLog(line));
	}
	if (cmd.verb == Pop3Verb::Unknown)
	{
		protocolError("unknown command " + quoteForLog(cmd.verbText, 16));
		return;
	}
	const VerbEntry* entry = lookup(cmd.verb);
	if (!entry)
	{
		protocolError(std::string(toString(cmd.verb)) + " not allowed in the " + toString(_state) + " state");
		return;
	}
	if (!cmd.ok())
	{
		protocolError(cmd.error);
		return;
	}
	(this->*entry->handler)(cmd);
}


void Pop3Session::doUser(const Pop3Command& cmd)
{
	// Same answer whether the account exists or not: PASS decides (no user enumeration).
	_user = cmd.text;
	ok("send PASS");
}


void Pop3Session::doPass(const Pop3Command& cmd)
{
	if (_user.empty())
	{
		protocolError("USER first");
		return;
	}
	const std::string* password = _context.server.password(_user);
	if (!password || *password != cmd.text)
	{
		++_authFailures;
		_log.warning("%s auth failed user=%s failures=%u", _id, quoteForLog(_user), _authFailures);
		_user.clear();
		Poco::Thread::sleep(static_cast<long>(kAuthFailureDelay.totalMilliseconds()));
		if (_authFailures >= _limits.maxAuthFailures)
		{
			err("[AUTH] invalid user name or password; too many failures, closing connection");
			close("auth-failures");
			return;
		}
		err("[AUTH] invalid user name or password");
		return;
	}
	// The account key as written in the config names the Maildir (domain lower-case).
	std::string key;
	for (const auto& entry: _context.server.accounts)
	{
		if (&entry.second == password) key = entry.first;
	}
	const std::string path = Maildir(_context.mailDir()).path(key);
	const MailboxLock::Result locked = _lock.acquire(path);
	if (locked == MailboxLock::Result::Busy)
	{
		_log.warning("%s mailbox in use user=%s", _id, quoteForLog(key));
		_user.clear();
		err("[IN-USE] mailbox is locked by another session");
		return;
	}
	if (locked == MailboxLock::Result::Failed)
	{
		_log.error("%s cannot lock mailbox user=%s path=%s", _id, quoteForLog(key), path);
		_user.clear();
		err("[SYS/TEMP] cannot open mailbox");
		return;
	}
	try
	{
		_mailbox.reset(new Mailbox(path));
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s cannot read mailbox user=%s error=%s", _id, quoteForLog(key), exc.displayText());
		_lock.release();
		_user.clear();
		err("[SYS/TEMP] cannot open mailbox");
		return;
	}
	_account = key;
	_log.information("%s login user=%s messages=%z octets=%s", _id, quoteForLog(key), _mailbox->count(),
		std::to_string(_mailbox->liveSize()));
	enterState(Pop3State::Transaction);
	ok("maildrop has " + countOctets(_mailbox->liveCount(), _mailbox->liveSize()));
}


void Pop3Session::doRefused(const Pop3Command& cmd)
{
	err(std::string(toString(cmd.verb)) + " not supported; use USER and PASS");
}


void Pop3Session::doCapa(const Pop3Command&)
{
	ok("capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
		"IMPLEMENTATION mail-server\r\n.");
}


void Pop3Session::doQuit(const Pop3Command&)
{
	if (_state == Pop3State::Authorization)
	{
		ok(_context.server.name + " POP3 server signing off");
		close("quit");
		return;
	}
	enterState(Pop3State::Update);
	const std::size_t deleted = _mailbox->deletedCount();
	const std::size_t failed = _mailbox->commitDeletions();
	_lock.release();
	if (failed > 0)
	{
		_log.error("%s update failed user=%s deleted=%z failed=%z", _id, quoteForLog(_account), deleted, failed);
		err("[SYS/TEMP] some deleted messages not removed");
	}
	else
	{
		_log.information("%s update user=%s deleted=%z left=%z", _id, quoteForLog(_account), deleted,
			_mailbox->liveCount());
		ok(_context.server.name + " POP3 server signing off (" + countOctets(_mailbox->liveCount(), _mailbox->liveSize()) + " left)");
	}
	close("quit");
}


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
	for (std::size_t n = 1; n <= _mailbox->count(); ++n)
	{
		const MailboxMessage& message = _mailbox->message(n);
		if (message.deleted) continue;
		_out += std::to_string(n);
		_out += ' ';
		_out += std::to_string(message.size);
		_out += "\r\n";
	}
	_out += ".\r\n";
}


void Pop3Session::doRetr(const Pop3Command& cmd)
{
	if (!checkMessage(cmd)) return;
	const std::uint64_t n = cmd.numbers[0];
	const std::size_t mark = _out.size();
	ok(std::to_string(_mailbox->message(n).size) + " octets");
	if (!_mailbox->appendMessage(n, _out, _scratch))
	{
		_out.resize(mark);
		_log.error("%s cannot read message user=%s path=%s", _id, quoteForLog(_account), _mailbox->message(n).path);
		err("[SYS/TEMP] cannot read message " + std::to_string(n));
	}
	else
	{
		++_retrieved;
	}
	trimBuffer(_scratch);
}


void Pop3Session::doDele(const Pop3Command& cmd)
{
	if (!checkMessage(cmd)) return;
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
	if (!checkMessage(cmd)) return;
	const std::uint64_t n = cmd.numbers[0];
	const std::size_t mark = _out.size();
	ok("top of message follows");
	if (!_mailbox->appendTop(n, cmd.numbers[1], _out, _scratch))
	{
		_out.resize(mark);
		_log.error("%s cannot read message user=%s path=%s", _id, quoteForLog(_account), _mailbox->message(n).path);
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
	for (std::size_t n = 1; n <= _mailbox->count(); ++n)
	{
		const MailboxMessage& message = _mailbox->message(n);
		if (message.deleted) continue;
		_out += std::to_string(n);
		_out += ' ';
		_out += message.uid;
		_out += "\r\n";
	}
	_out += ".\r\n";
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


void Pop3Session::ok(const std::string& text)
{
	_out += text.empty() ? "+OK" : "+OK ";
	_out += text;
	_out += "\r\n";
}


void Pop3Session::err(const std::string& text)
{
	_out += "-ERR ";
	_out += text;
	_out += "\r\n";
}


void Pop3Session::protocolError(const std::string& text)
{
	++_errors;
	if (_errors >= _limits.hardErrors)
	{
		err(text + "; too many errors, closing connection");
		close("errors");
		return;
	}
	err(text);
}


void Pop3Session::flush()
{
	if (_out.empty()) return;
	// MSG_NOSIGNAL: a vanished client is a send error, never a SIGPIPE, whatever thread runs us.
	_socket.sendBytes(_out.data(), static_cast<int>(_out.size()), MSG_NOSIGNAL);
	trimBuffer(_out);
}


void Pop3Session::close(const std::string& reason)
{
	_closeReason = reason;
	enterState(Pop3State::Closed);
}


void Pop3Session::enterState(Pop3State state)
{
	_log.debug("%s state %s -> %s", _id, std::string(toString(_state)), std::string(toString(state)));
	_state = state;
}


} // namespace mail
