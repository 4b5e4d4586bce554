// imap_session.cpp - one IMAP conversation: the loop, the verb table, replies, the mailbox lock rule.
#include "server/imap/imap_session.h"

#include "common/ops/log.h"
#include "server/imap/imap_reader.h"
#include "server/mail/mail_events.h"

#include <Poco/Exception.h>

#include <strings.h>


using Poco::Net::StreamSocket;


namespace mail {


namespace {


std::string maskLogin(const std::string& line)
/// The command for the debug log without a LOGIN password or AUTHENTICATE response.
{
	const std::size_t first = line.find(' ');
	if (first == std::string::npos) return line;
	const std::size_t second = line.find(' ', first + 1);
	const std::string name = line.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
	if (strcasecmp(name.c_str(), "LOGIN") == 0 || strcasecmp(name.c_str(), "AUTHENTICATE") == 0)
		return line.substr(0, second) + " ****";
	return line;
}


} // namespace


const char* toString(ImapState state)
{
	switch (state)
	{
	case ImapState::NotAuthenticated: return "NOT-AUTHENTICATED";
	case ImapState::Authenticated: return "AUTHENTICATED";
	case ImapState::Selected: return "SELECTED";
	case ImapState::Logout: return "LOGOUT";
	}
	return "UNKNOWN";
}


ImapSession::ImapSession(const ServerContext& context, StreamSocket& socket, const std::string& id, bool implicitTls):
	_context(context),
	_config(context.current()),
	_server(*_config),
	_limits(_config->limits),
	_log(Poco::Logger::get("imap")),
	_io(socket, id, _log),
	_implicitTls(implicitTls)
{
}


ImapSession::~ImapSession() = default;


std::string ImapSession::busyReply(const ServerConfig&)
{
	return "* BYE [UNAVAILABLE] too many connections, try again later\r\n";
}


void ImapSession::run()
{
	const Poco::Timespan idle = toTimespan(_limits.imapTimeout);
	_peer = _io.open(idle);
	std::string text;
	try
	{
		if (_implicitTls) _io.startTls(_context.tls, idle);
		_context.events->sessionOpen(_io.id(), "imap", _io.peer(), _io.secure());
		if (_implicitTls) recordTls(*_context.events, _io);
		untagged("OK [CAPABILITY " + capabilities() + "] " + _server.name + " IMAP server ready");
		while (_state != ImapState::Logout)
		{
			if (_context.stopping)
			{
				closeBye("[UNAVAILABLE] " + _server.name + " IMAP server shutting down", "shutdown");
				break;
			}
			_io.flushUnlessPipelined();
			if (readCommand(text)) dispatch(text);
		}
		_io.flush();
	}
	catch (const Poco::Exception& exc)
	{
		_reason = "lost";
		_log.debug("%s send failed error=%s", _io.id(), exc.displayText());
	}
	_lock.release();
	_log.information("%s disconnected reason=%s user=%s fetched=%z errors=%u", _io.id(), _reason, quoteForLog(_account),
		_fetched, _errors);
	_context.events->sessionClose(_io.id(), "imap", _reason, _io.ageMs());
}


bool ImapSession::readCommand(std::string& text)
{
	switch (readImapCommand(_io, text, _limits.maxImapCommandLine, _limits.maxImapLiteral,
		_io.commandDeadline(_limits.imapTimeout, _limits.maxSessionTime)))
	{
	case ImapRead::Ok: return true;
	case ImapRead::TooLong:
		bad("*", "command line too long (at most " + std::to_string(_limits.maxImapCommandLine) + " octets)");
		return false;
	case ImapRead::LiteralTooLarge:
		bad("*", "[LIMIT] literal too large (at most " + std::to_string(_limits.maxImapLiteral) + " octets in a command)");
		return false;
	case ImapRead::LiteralDesync:
		closeBye("[LIMIT] literal too large, closing connection", "too-long");
		return false;
	case ImapRead::Timeout:
		if (_io.lifetimeLeft(_limits.maxSessionTime) > 0) closeTimedOut();
		else closeBye("session time limit exceeded, closing connection", "lifetime");
		return false;
	case ImapRead::Closed:
		if (_context.stopping) closeBye("[UNAVAILABLE] " + _server.name + " IMAP server shutting down", "shutdown");
		else closeWith("lost");
		return false;
	}
	return false;
}


void ImapSession::dispatch(const std::string& text)
{
	static const VerbEntry kVerbs[] = {
		{"CAPABILITY", &ImapSession::doCapability, ImapState::NotAuthenticated, false},
		{"NOOP", &ImapSession::doNoop, ImapState::NotAuthenticated, false},
		{"LOGOUT", &ImapSession::doLogout, ImapState::NotAuthenticated, false},
		{"ID", &ImapSession::doId, ImapState::NotAuthenticated, false},
		{"STARTTLS", &ImapSession::doStartTls, ImapState::NotAuthenticated, false},
		{"LOGIN", &ImapSession::doLogin, ImapState::NotAuthenticated, false},
		{"AUTHENTICATE", &ImapSession::doAuthenticate, ImapState::NotAuthenticated, false},
		{"SELECT", &ImapSession::doSelect, ImapState::Authenticated, false},
		{"EXAMINE", &ImapSession::doSelect, ImapState::Authenticated, false},
		{"LIST", &ImapSession::doList, ImapState::Authenticated, false},
		{"LSUB", &ImapSession::doList, ImapState::Authenticated, false},
		{"STATUS", &ImapSession::doStatus, ImapState::Authenticated, false},
		{"ENABLE", &ImapSession::doEnable, ImapState::Authenticated, false},
		{"NAMESPACE", &ImapSession::doNamespace, ImapState::Authenticated, false},
		{"IDLE", &ImapSession::doIdle, ImapState::Authenticated, false},
		{"SUBSCRIBE", &ImapSession::doSubscribe, ImapState::Authenticated, false},
		{"UNSUBSCRIBE", &ImapSession::doSubscribe, ImapState::Authenticated, false},
		{"CREATE", &ImapSession::doRefused, ImapState::Authenticated, false},
		{"DELETE", &ImapSession::doRefused, ImapState::Authenticated, false},
		{"RENAME", &ImapSession::doRefused, ImapState::Authenticated, false},
		{"APPEND", &ImapSession::doRefused, ImapState::Authenticated, false},
		{"CHECK", &ImapSession::doNoop, ImapState::Selected, false},
		{"CLOSE", &ImapSession::doClose, ImapState::Selected, false},
		{"UNSELECT", &ImapSession::doClose, ImapState::Selected, false},
		{"EXPUNGE", &ImapSession::doExpunge, ImapState::Selected, true},
		{"FETCH", &ImapSession::doFetch, ImapState::Selected, true},
		{"STORE", &ImapSession::doStore, ImapState::Selected, true},
		{"SEARCH", &ImapSession::doSearch, ImapState::Selected, true},
		{"COPY", &ImapSession::doRefused, ImapState::Selected, true},
		{"MOVE", &ImapSession::doRefused, ImapState::Selected, true},
	};
	if (_log.debug()) _log.debug("%s <<< %s", _io.id(), quoteForLog(maskLogin(text)));
	const ImapCommand cmd = parseImapCommand(text);
	const std::string tag = cmd.tag.empty() ? "*" : cmd.tag;
	if (cmd.tag.empty() || cmd.name.empty())
	{
		bad(tag, cmd.error.empty() ? "missing command" : cmd.error);
		return;
	}
	const VerbEntry* entry = nullptr;
	for (const VerbEntry& verb: kVerbs)
	{
		if (cmd.name == verb.name) entry = &verb;
	}
	if (!entry || (cmd.uid && !entry->uid))
	{
		bad(tag, "unknown command " + quoteForLog(cmd.name, 20));
		return;
	}
	if (!cmd.ok())
	{
		bad(tag, cmd.error);
		return;
	}
	if (_state != ImapState::NotAuthenticated && (cmd.name == "LOGIN" || cmd.name == "AUTHENTICATE" || cmd.name == "STARTTLS"))
	{
		bad(cmd.tag, cmd.name + " not allowed: already authenticated");
		return;
	}
	if (static_cast<int>(_state) < static_cast<int>(entry->least))
	{
		bad(tag, std::string(entry->name) + " not allowed in the " + toString(_state) + " state");
		return;
	}
	// Before login, commands that move nothing forward (CAPABILITY, NOOP, ID) are junk: a
	// client repeating them to hold a slot is cut off. After login NOOP is how clients
	// without IDLE poll for mail (mutt every few seconds), so it is not counted.
	const bool forward = cmd.name == "STARTTLS" || cmd.name == "LOGIN" || cmd.name == "AUTHENTICATE" || cmd.name == "LOGOUT";
	if (_state == ImapState::NotAuthenticated && !forward && ++_junkCommands > _limits.junkCommands)
	{
		closeBye("too many junk commands, closing connection", "junk");
		return;
	}
	(this->*entry->handler)(cmd);
}


void ImapSession::doCapability(const ImapCommand& cmd)
{
	untagged("CAPABILITY " + capabilities());
	ok(cmd.tag, "CAPABILITY completed");
}


void ImapSession::doNoop(const ImapCommand& cmd)
{
	if (_mailbox) reportChanges();
	ok(cmd.tag, cmd.name + " completed");
}


void ImapSession::doLogout(const ImapCommand& cmd)
{
	untagged("BYE " + _server.name + " IMAP server signing off");
	ok(cmd.tag, "LOGOUT completed");
	closeWith("quit");
}


void ImapSession::doId(const ImapCommand& cmd)
{
	untagged("ID (\"name\" \"mail-server\")");
	ok(cmd.tag, "ID completed");
}


bool ImapSession::isInbox(const std::string& name) const
{
	return strcasecmp(name.c_str(), "INBOX") == 0;
}


void ImapSession::reportChanges()
{
	ImapChanges changes;
	try
	{
		changes = _mailbox->refresh();
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s cannot read mailbox user=%s error=%s", _io.id(), quoteForLog(_account), exc.displayText());
		return;
	}
	for (std::uint32_t seq: changes.expunged) untagged(std::to_string(seq) + " EXPUNGE");
	if (changes.countChanged) untagged(std::to_string(_mailbox->count()) + " EXISTS");
	for (std::uint32_t seq: changes.flagged)
	{
		untagged(std::to_string(seq) + " FETCH (UID " + std::to_string(_mailbox->at(seq).uid) + " FLAGS ("
			+ imapFlagsFromMaildir(_mailbox->at(seq).flags) + "))");
	}
}


bool ImapSession::lockForChange(const ImapCommand& cmd)
{
	if (_lock.held()) return true;
	const MailboxLock::Result result = _lock.acquireWithin(_mailboxPath);
	if (result == MailboxLock::Result::Acquired && !_lock.readOnly()) return true;
	if (result == MailboxLock::Result::Busy)
	{
		_log.warning("%s mailbox in use user=%s (change refused)", _io.id(), quoteForLog(_account));
		no(cmd.tag, "[INUSE] mailbox is in use by a POP3 session, try again later");
		return false;
	}
	_lock.release();
	no(cmd.tag, "[NOPERM] the mailbox cannot be changed");
	return false;
}


void ImapSession::unlockAfterChange()
{
	_lock.release();
}


bool ImapSession::messageSet(const ImapCommand& cmd, const ImapToken& token, std::vector<std::uint32_t>& seqs)
{
	ImapSequenceSet set;
	if (!token.isAtom() || !parseSequenceSet(token.text, set))
	{
		bad(cmd.tag, "bad sequence set");
		return false;
	}
	seqs.clear();
	const std::uint32_t count = static_cast<std::uint32_t>(_mailbox->count());
	if (cmd.uid)
	{
		const std::uint32_t largest = _mailbox->largestUid();
		for (std::uint32_t seq = 1; seq <= count; ++seq)
		{
			if (inSequenceSet(set, _mailbox->at(seq).uid, largest)) seqs.push_back(seq);
		}
		return true;
	}
	for (const auto& range: set)
	{
		const std::uint32_t low = range.first == kImapStar ? count : range.first;
		const std::uint32_t high = range.second == kImapStar ? count : range.second;
		if (std::max(low, high) > count || std::min(low, high) == 0)
		{
			bad(cmd.tag, "no such message (the mailbox has " + std::to_string(count) + ")");
			return false;
		}
	}
	for (std::uint32_t seq = 1; seq <= count; ++seq)
	{
		if (inSequenceSet(set, seq, count)) seqs.push_back(seq);
	}
	return true;
}


void ImapSession::ok(const std::string& tag, const std::string& text)
{
	_io.send(tag + " OK " + text);
}


void ImapSession::no(const std::string& tag, const std::string& text)
{
	_io.send(tag + " NO " + text);
}


void ImapSession::bad(const std::string& tag, const std::string& text)
{
	++_errors;
	if (_errors >= _limits.hardErrors)
	{
		_io.send(tag + " BAD " + text);
		closeBye("too many errors, closing connection", "errors");
		return;
	}
	_io.send(tag + " BAD " + text);
}


void ImapSession::untagged(const std::string& text)
{
	_io.send("* " + text);
}


void ImapSession::closeWith(const std::string& reason)
{
	_reason = reason;
	if (_log.debug()) _log.debug("%s state %s -> LOGOUT", _io.id(), std::string(toString(_state)));
	_state = ImapState::Logout;
}


void ImapSession::closeBye(const std::string& text, const std::string& reason)
{
	untagged("BYE " + text);
	closeWith(reason);
}


void ImapSession::closeTimedOut()
{
	closeBye("idle for too long, closing connection", "timeout");
}


} // namespace mail
