// pop3_session.cpp - one POP3 conversation (RFC 1939 + RFC 2449): the loop, verb tables, login, replies.
#include "server/pop3/pop3_session.h"

#include "common/ops/log.h"
#include "server/credentials.h"
#include "server/mail/mail_events.h"
#include "server/store/maildir.h"

#include <Poco/Exception.h>
#include <Poco/Thread.h>

#include <utility>

using Poco::Net::StreamSocket;


namespace mail {


namespace {


/// RFC 2449 section 4: a command line is at most 255 octets including CRLF.
constexpr std::size_t kLineTerminator = 2;


template <typename Entry, std::size_t N>
const Entry* findVerb(const Entry (&table)[N], Pop3Verb verb)
{
	for (const Entry& entry: table)
	{
		if (entry.verb == verb) return &entry;
	}
	return nullptr;
}


} // namespace


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


Pop3Session::Pop3Session(const ServerContext& context, StreamSocket& socket, const std::string& id, bool implicitTls):
	_context(context),
	_config(context.current()),
	_server(*_config),
	_limits(_config->limits),
	_log(Poco::Logger::get("pop3")),
	_io(socket, id, _log),
	_implicitTls(implicitTls)
{
}


Pop3Session::~Pop3Session() = default;


std::string Pop3Session::countOctets(std::size_t count, std::uint64_t octets)
{
	return std::to_string(count) + (count == 1 ? " message (" : " messages (") + std::to_string(octets) + " octets)";
}


std::string Pop3Session::busyReply(const ServerConfig&)
{
	return "-ERR [SYS/TEMP] too many connections, try again later\r\n";
}


void Pop3Session::run()
{
	const Poco::Timespan idle = toTimespan(_limits.popTimeout);
	_peer = _io.open(idle);
	const std::size_t maxLine = _limits.maxPopCommandLine - kLineTerminator;
	std::string line;
	try
	{
		if (_implicitTls) _io.startTls(_context.tls, idle);
		_context.events->sessionOpen(_io.id(), "pop3", _io.peer(), _io.secure());
		if (_implicitTls) recordTls(*_context.events, _io);
		ok(_server.name + " POP3 server ready");
		while (_state != Pop3State::Closed)
		{
			if (_context.stopping)
			{
				closeShuttingDown();
				break;
			}
			_io.flushUnlessPipelined();
			switch (_io.readLine(line, maxLine, _io.commandDeadline(_limits.popTimeout, _limits.maxSessionTime)))
			{
			case ReadStatus::Ok:
				dispatch(line);
				break;
			case ReadStatus::TooLong:
				protocolError("command line too long (at most " + std::to_string(_limits.maxPopCommandLine) + " octets)");
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
	catch (const Poco::Exception& exc)
	{
		_reason = "lost";
		_log.debug("%s send failed error=%s", _io.id(), exc.displayText());
	}
	_lock.release();
	_log.information("%s disconnected reason=%s user=%s retrieved=%z errors=%u", _io.id(), _reason,
		quoteForLog(_account.empty() ? _user : _account), _retrieved, _errors);
	_context.events->sessionClose(_io.id(), "pop3", _reason, _io.ageMs());
}


const Pop3Session::VerbEntry* Pop3Session::lookup(Pop3Verb verb) const
{
	static const VerbEntry kAuthorization[] = {
		{Pop3Verb::User, &Pop3Session::doUser},
		{Pop3Verb::Pass, &Pop3Session::doPass},
		{Pop3Verb::Apop, &Pop3Session::doRefused},
		{Pop3Verb::Auth, &Pop3Session::doAuth},
		{Pop3Verb::Stls, &Pop3Session::doStls},
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
		_log.debug("%s <<< %s", _io.id(), quoteForLog(maskCredentials(line)));
	}
	if (cmd.verb == Pop3Verb::Unknown)
	{
		protocolError("unknown command " + quoteForLog(maskCredentials(cmd.verbText), 16));
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
	// Commands that cost the client nothing and move nothing forward: past the limit a
	// client repeating them (to hold a session slot) is cut off.
	const bool junk = cmd.verb == Pop3Verb::Capa || (cmd.verb == Pop3Verb::User && !_user.empty());
	if (junk && ++_junkCommands > _limits.junkCommands)
	{
		err("[SYS/TEMP] too many junk commands, closing connection");
		closeWith("junk");
		return;
	}
	(this->*entry->handler)(cmd);
}


void Pop3Session::doUser(const Pop3Command& cmd)
{
	if (plaintextLoginRefused() || faulted(FaultStage::User, cmd.text)) return;
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
	if (plaintextLoginRefused() || faulted(FaultStage::Pass, _user)) return;
	const bool loggedIn = checkLogin(_server, _user, cmd.text) != nullptr;
	_context.events->pop3Login(_io.id(), _user, std::exchange(_loginMechanism, "USER"), loggedIn);
	if (!loggedIn)
	{
		++_authFailures;
		_log.warning("%s auth failed user=%s failures=%u", _io.id(), quoteForLog(_user), _authFailures);
		_user.clear();
		Poco::Thread::sleep(static_cast<long>(kAuthFailureDelay.totalMilliseconds()));
		if (_authFailures >= _limits.maxAuthFailures)
		{
			err("[AUTH] invalid user name or password; too many failures, closing connection");
			closeWith("auth-failures");
			return;
		}
		err("[AUTH] invalid user name or password");
		return;
	}
	// The account key as written in the config names the Maildir (domain lower-case).
	const std::string key = *_server.accountKey(_user);
	const std::string path = Maildir(_context.mailDir()).path(key);
	const MailboxLock::Result locked = _lock.acquireWithin(path); // waits out an IMAP change
	if (locked == MailboxLock::Result::Busy)
	{
		_log.warning("%s mailbox in use user=%s", _io.id(), quoteForLog(key));
		_user.clear();
		err("[IN-USE] mailbox is locked by another session");
		return;
	}
	if (locked == MailboxLock::Result::Failed)
	{
		_log.error("%s cannot lock mailbox user=%s path=%s", _io.id(), quoteForLog(key), path);
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
		_log.error("%s cannot read mailbox user=%s error=%s", _io.id(), quoteForLog(key), exc.displayText());
		_lock.release();
		_user.clear();
		err("[SYS/TEMP] cannot open mailbox");
		return;
	}
	_account = key;
	_log.information("%s login user=%s messages=%z octets=%s", _io.id(), quoteForLog(key), _mailbox->count(),
		std::to_string(_mailbox->liveSize()));
	if (_lock.readOnly()) _log.warning("%s mailbox read-only user=%s (DELE refused)", _io.id(), quoteForLog(key));
	enterState(Pop3State::Transaction);
	ok("maildrop has " + countOctets(_mailbox->liveCount(), _mailbox->liveSize()));
}


void Pop3Session::doRefused(const Pop3Command& cmd)
{
	err(std::string(toString(cmd.verb)) + " not supported; use USER and PASS or AUTH PLAIN");
}


void Pop3Session::doCapa(const Pop3Command&)
{
	ok("capability list follows\r\n" + authCapabilities()
		+ "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION mail-server\r\n.");
}


void Pop3Session::doQuit(const Pop3Command&)
{
	if (_state == Pop3State::Authorization)
	{
		ok(_server.name + " POP3 server signing off");
		closeWith("quit");
		return;
	}
	enterState(Pop3State::Update);
	if (_context.events->enabled()) _context.events->pop3Expunge(_io.id(), _account, _mailbox->deletedFiles());
	const std::size_t deleted = _mailbox->deletedCount();
	const std::size_t failed = _mailbox->commitDeletions();
	_lock.release();
	if (failed > 0)
	{
		_log.error("%s update failed user=%s deleted=%z failed=%z", _io.id(), quoteForLog(_account), deleted, failed);
		err("[SYS/TEMP] some deleted messages not removed");
	}
	else
	{
		_log.information("%s update user=%s deleted=%z left=%z", _io.id(), quoteForLog(_account), deleted,
			_mailbox->liveCount());
		ok(_server.name + " POP3 server signing off (" + countOctets(_mailbox->liveCount(), _mailbox->liveSize()) + " left)");
	}
	closeWith("quit");
}


void Pop3Session::ok(const std::string& text)
{
	_io.send(text.empty() ? "+OK" : "+OK " + text);
}


void Pop3Session::err(const std::string& text)
{
	_io.send("-ERR " + text);
}


void Pop3Session::protocolError(const std::string& text)
{
	++_errors;
	if (_errors >= _limits.hardErrors)
	{
		err(text + "; too many errors, closing connection");
		closeWith("errors");
		return;
	}
	err(text);
}


void Pop3Session::closeWith(const std::string& reason)
{
	_reason = reason;
	enterState(Pop3State::Closed);
}


void Pop3Session::closeShuttingDown()
{
	err("[SYS/TEMP] " + _server.name + " POP3 server shutting down");
	closeWith("shutdown");
}


void Pop3Session::closeTimedOut()
{
	err("[SYS/TEMP] idle for too long, closing connection");
	closeWith("timeout");
}


void Pop3Session::closeLifetimeUsed()
{
	err("[SYS/TEMP] session time limit exceeded, closing connection");
	closeWith("lifetime");
}


void Pop3Session::closeLost()
{
	// At shutdown the listener shuts our socket's receive side: say why before closing.
	if (_context.stopping) closeShuttingDown();
	else closeWith("lost");
}


void Pop3Session::enterState(Pop3State state)
{
	if (_log.debug())
		_log.debug("%s state %s -> %s", _io.id(), std::string(toString(_state)), std::string(toString(state)));
	_state = state;
}


} // namespace mail
