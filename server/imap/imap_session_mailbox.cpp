// imap_session_mailbox.cpp - the INBOX of an IMAP session: SELECT EXAMINE LIST STATUS IDLE STORE EXPUNGE CLOSE.
#include "server/imap/imap_session.h"

#include "common/ops/log.h"
#include "server/mail/mail_events.h"
#include "server/store/durable_file.h"
#include "server/store/maildir.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

#include <algorithm>
#include <strings.h>


namespace mail {


namespace {


/// IDLE looks at the Maildir this often: new mail reaches the client well within a second.
constexpr long kIdlePollMs = 200;


std::string upper(const ImapToken& token)
{
	return Poco::toUpper(token.text);
}


bool wildcardMatch(const char* pattern, const char* name)
/// LIST's "*" and "%" (no hierarchy here, so both match anything), case-insensitive for INBOX.
{
	if (*pattern == '\0') return *name == '\0';
	if (*pattern == '*' || *pattern == '%')
	{
		for (const char* n = name;; ++n)
		{
			if (wildcardMatch(pattern + 1, n)) return true;
			if (*n == '\0') return false;
		}
	}
	return *name != '\0' && std::toupper(static_cast<unsigned char>(*pattern)) == std::toupper(static_cast<unsigned char>(*name))
		&& wildcardMatch(pattern + 1, name + 1);
}


} // namespace


void ImapSession::doSelect(const ImapCommand& cmd)
{
	if (cmd.args.empty() || !cmd.args[0].isString())
	{
		bad(cmd.tag, cmd.name + " needs a mailbox name");
		return;
	}
	if (_mailbox)
	{
		_mailbox.reset();
		_state = ImapState::Authenticated;
		untagged("OK [CLOSED] previous mailbox closed");
	}
	if (!isInbox(cmd.args[0].text))
	{
		no(cmd.tag, "[NONEXISTENT] no such mailbox; this server has only INBOX");
		return;
	}
	try
	{
		_mailbox = std::make_unique<ImapMailbox>(_mailboxPath);
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s cannot open mailbox user=%s error=%s", _io.id(), quoteForLog(_account), exc.displayText());
		no(cmd.tag, "[SERVERBUG] cannot open mailbox");
		return;
	}
	_readOnly = cmd.name == "EXAMINE";
	_state = ImapState::Selected;
	untagged(std::to_string(_mailbox->count()) + " EXISTS");
	if (!_rev2) untagged("0 RECENT");
	untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
	untagged(std::string("OK [PERMANENTFLAGS (") + (_readOnly ? "" : "\\Answered \\Flagged \\Deleted \\Seen \\Draft") + ")] flags kept in the Maildir file names");
	if (const std::uint32_t unseen = _mailbox->firstWithout('S'); unseen && !_rev2) untagged("OK [UNSEEN " + std::to_string(unseen) + "] first unseen");
	untagged("OK [UIDVALIDITY " + std::to_string(_mailbox->uidValidity()) + "] UIDs valid");
	untagged("OK [UIDNEXT " + std::to_string(_mailbox->uidNext()) + "] predicted next UID");
	if (_rev2) untagged("LIST () \"/\" \"INBOX\"");
	if (mailboxLockHeld(_mailboxPath)) untagged("OK [INUSE] a POP3 session has the mailbox: changes wait until it ends");
	ok(cmd.tag, std::string(_readOnly ? "[READ-ONLY] " : "[READ-WRITE] ") + cmd.name + " completed");
	_log.information("%s select user=%s messages=%z", _io.id(), quoteForLog(_account), _mailbox->count());
}


void ImapSession::doList(const ImapCommand& cmd)
{
	// LIST [(selection)] reference pattern [RETURN (...)]: one mailbox, INBOX, no hierarchy.
	std::size_t first = !cmd.args.empty() && cmd.args[0].kind == ImapToken::Kind::List ? 1 : 0;
	if (cmd.args.size() < first + 2 || !cmd.args[first].isString())
	{
		bad(cmd.tag, cmd.name + " needs a reference and a mailbox pattern");
		return;
	}
	const ImapToken& pattern = cmd.args[first + 1];
	std::vector<std::string> patterns;
	if (pattern.kind == ImapToken::Kind::List)
		for (const ImapToken& item: pattern.items) patterns.push_back(item.text);
	else patterns.push_back(pattern.text);
	for (const std::string& p: patterns)
	{
		if (p.empty() && cmd.name == "LIST")
		{
			untagged("LIST (\\Noselect) \"/\" \"\""); // the hierarchy delimiter (RFC 9051 6.3.9)
			break;
		}
		if (wildcardMatch(p.c_str(), "INBOX"))
		{
			untagged(cmd.name + " (\\HasNoChildren) \"/\" INBOX");
			break;
		}
	}
	ok(cmd.tag, cmd.name + " completed");
}


void ImapSession::doStatus(const ImapCommand& cmd)
{
	if (cmd.args.size() != 2 || !cmd.args[0].isString() || cmd.args[1].kind != ImapToken::Kind::List)
	{
		bad(cmd.tag, "STATUS needs a mailbox and a list of items");
		return;
	}
	if (!isInbox(cmd.args[0].text))
	{
		no(cmd.tag, "[NONEXISTENT] no such mailbox; this server has only INBOX");
		return;
	}
	std::unique_ptr<ImapMailbox> own;
	ImapMailbox* box = _mailbox.get();
	try
	{
		if (!box)
		{
			own = std::make_unique<ImapMailbox>(_mailboxPath);
			box = own.get();
		}
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s cannot open mailbox user=%s error=%s", _io.id(), quoteForLog(_account), exc.displayText());
		no(cmd.tag, "[SERVERBUG] cannot open mailbox");
		return;
	}
	std::string items;
	for (const ImapToken& item: cmd.args[1].items)
	{
		const std::string name = upper(item);
		std::string value;
		if (name == "MESSAGES") value = std::to_string(box->count());
		else if (name == "UIDNEXT") value = std::to_string(box->uidNext());
		else if (name == "UIDVALIDITY") value = std::to_string(box->uidValidity());
		else if (name == "UNSEEN") value = std::to_string(box->countWithout('S'));
		else if (name == "RECENT") value = "0";
		else if (name == "DELETED") value = std::to_string(box->count() - box->countWithout('T'));
		else if (name == "SIZE")
		{
			std::uint64_t size = 0;
			for (std::uint32_t seq = 1; seq <= box->count(); ++seq) size += box->at(seq).size;
			value = std::to_string(size);
		}
		else
		{
			bad(cmd.tag, "unknown STATUS item " + quoteForLog(item.text, 20));
			return;
		}
		items.append(items.empty() ? "" : " ").append(name).append(" ").append(value);
	}
	untagged("STATUS INBOX (" + items + ")");
	ok(cmd.tag, "STATUS completed");
}


void ImapSession::doEnable(const ImapCommand& cmd)
{
	std::string enabled;
	for (const ImapToken& arg: cmd.args)
	{
		if (upper(arg) == "IMAP4REV2" && !_rev2)
		{
			_rev2 = true;
			enabled += " IMAP4rev2";
		}
	}
	untagged("ENABLED" + enabled);
	ok(cmd.tag, "ENABLE completed");
}


void ImapSession::doNamespace(const ImapCommand& cmd)
{
	untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
	ok(cmd.tag, "NAMESPACE completed");
}


void ImapSession::doRefused(const ImapCommand& cmd)
{
	no(cmd.tag, "[CANNOT] " + cmd.name + " not supported: this server keeps one mailbox, INBOX, filled by SMTP delivery");
}


void ImapSession::doSubscribe(const ImapCommand& cmd)
{
	if (cmd.args.size() == 1 && cmd.args[0].isString() && isInbox(cmd.args[0].text)) ok(cmd.tag, cmd.name + " completed");
	else no(cmd.tag, "[NONEXISTENT] no such mailbox; this server has only INBOX");
}


void ImapSession::doIdle(const ImapCommand& cmd)
{
	// RFC 2177: "+ idling", untagged updates as the Maildir changes, until DONE.
	_io.send("+ idling");
	_io.flush();
	std::string line;
	const Poco::Timespan idle = toTimespan(_limits.imapTimeout);
	Poco::Timestamp lastInput;
	for (;;)
	{
		if (_context.stopping)
		{
			closeBye("[UNAVAILABLE] " + _server.name + " IMAP server shutting down", "shutdown");
			return;
		}
		if (_mailbox && _mailbox->changedOnDisk())
		{
			reportChanges();
			_io.flush();
		}
		if (lastInput.isElapsed(idle.totalMicroseconds()))
		{
			closeTimedOut();
			return;
		}
		if (_io.lifetimeLeft(_limits.maxSessionTime) <= 0)
		{
			closeBye("session time limit exceeded, closing connection", "lifetime");
			return;
		}
		switch (_io.readLine(line, _limits.maxImapCommandLine, Poco::Timespan(kIdlePollMs * 1000)))
		{
		case ReadStatus::Ok:
			if (Poco::toUpper(Poco::trim(line)) == "DONE")
			{
				ok(cmd.tag, "IDLE terminated");
				return;
			}
			bad(cmd.tag, "expected DONE");
			return;
		case ReadStatus::TooLong:
			bad(cmd.tag, "expected DONE");
			return;
		case ReadStatus::Timeout: break;
		case ReadStatus::Closed:
			closeWith(_context.stopping ? "shutdown" : "lost");
			return;
		}
	}
}


void ImapSession::doClose(const ImapCommand& cmd)
{
	// CLOSE expunges silently (unless EXAMINE'd); UNSELECT does not.
	if (cmd.name == "CLOSE" && !_readOnly && _mailbox->count() != _mailbox->countWithout('T'))
	{
		if (!lockForChange(cmd)) return;
		std::vector<std::string> files = _mailbox->expunge();
		unlockAfterChange();
		if (!files.empty()) _context.events->imapExpunge(_io.id(), _account, files);
	}
	_mailbox.reset();
	_state = ImapState::Authenticated;
	ok(cmd.tag, cmd.name + " completed");
}


void ImapSession::doExpunge(const ImapCommand& cmd)
{
	ImapSequenceSet uids;
	if (cmd.uid && (cmd.args.size() != 1 || !cmd.args[0].isAtom() || !parseSequenceSet(cmd.args[0].text, uids)))
	{
		bad(cmd.tag, "UID EXPUNGE needs a UID set");
		return;
	}
	if (_readOnly)
	{
		no(cmd.tag, "[READ-ONLY] mailbox opened with EXAMINE");
		return;
	}
	if (!lockForChange(cmd)) return;
	// Messages flagged \Deleted outside the UID set keep the flag but stay.
	std::vector<std::pair<std::uint32_t, std::string>> kept;
	if (cmd.uid)
	{
		const std::uint32_t largest = _mailbox->largestUid();
		for (std::uint32_t seq = 1; seq <= _mailbox->count(); ++seq)
		{
			const ImapMessage& m = _mailbox->at(seq);
			if (m.flags.find('T') != std::string::npos && !inSequenceSet(uids, m.uid, largest)) kept.emplace_back(seq, m.flags);
		}
		for (const auto& k: kept)
		{
			std::string flags = k.second;
			flags.erase(flags.find('T'), 1);
			_mailbox->setFlags(k.first, flags);
		}
	}
	std::vector<std::uint32_t> before;
	for (std::uint32_t seq = 1; seq <= _mailbox->count(); ++seq) before.push_back(_mailbox->at(seq).uid);
	std::vector<std::string> files;
	try
	{
		files = _mailbox->expunge();
	}
	catch (const Poco::Exception& exc)
	{
		_log.error("%s expunge failed user=%s error=%s", _io.id(), quoteForLog(_account), exc.displayText());
	}
	// Put the other \Deleted flags back before anyone sees them gone.
	for (const auto& k: kept)
	{
		for (std::uint32_t seq = 1; seq <= _mailbox->count(); ++seq)
		{
			if (_mailbox->at(seq).uid == before[k.first - 1]) _mailbox->setFlags(seq, k.second);
		}
	}
	unlockAfterChange();
	// EXPUNGE replies: each with the number the message had when it was removed.
	std::size_t index = 0, removed = 0;
	for (std::size_t i = 0; i < before.size(); ++i)
	{
		if (index < _mailbox->count() && _mailbox->at(static_cast<std::uint32_t>(index + 1)).uid == before[i]) ++index;
		else untagged(std::to_string(i + 1 - removed++) + " EXPUNGE");
	}
	if (!files.empty()) _context.events->imapExpunge(_io.id(), _account, files);
	_log.information("%s expunge user=%s removed=%z left=%z", _io.id(), quoteForLog(_account), files.size(), _mailbox->count());
	reportChanges();
	ok(cmd.tag, cmd.name + " completed");
}


void ImapSession::doStore(const ImapCommand& cmd)
{
	std::vector<std::uint32_t> seqs;
	if (cmd.args.size() < 3 || !cmd.args[1].isAtom())
	{
		bad(cmd.tag, "STORE needs a set, FLAGS, +FLAGS or -FLAGS, and flags");
		return;
	}
	std::string item = upper(cmd.args[1]);
	const bool silent = item.size() > 7 && item.compare(item.size() - 7, 7, ".SILENT") == 0;
	if (silent) item.resize(item.size() - 7);
	const char mode = item == "FLAGS" ? '=' : item == "+FLAGS" ? '+'
		: item == "-FLAGS"                                     ? '-'
															   : '\0';
	if (!mode)
	{
		bad(cmd.tag, "STORE needs FLAGS, +FLAGS or -FLAGS");
		return;
	}
	std::vector<const ImapToken*> flagTokens;
	for (std::size_t i = 2; i < cmd.args.size(); ++i)
	{
		if (cmd.args[i].kind == ImapToken::Kind::List)
			for (const ImapToken& t: cmd.args[i].items) flagTokens.push_back(&t);
		else flagTokens.push_back(&cmd.args[i]);
	}
	std::string letters;
	for (const ImapToken* token: flagTokens)
	{
		char letter = 0;
		if (!token->isAtom())
		{
			bad(cmd.tag, "a flag is an atom");
			return;
		}
		if (maildirFlagFromImap(token->text, letter)) letters += letter;
		// Keywords and \Recent cannot be kept (PERMANENTFLAGS has no \*): ignored.
	}
	if (!messageSet(cmd, cmd.args[0], seqs)) return;
	if (_readOnly)
	{
		no(cmd.tag, "[READ-ONLY] mailbox opened with EXAMINE");
		return;
	}
	if (!seqs.empty() && !lockForChange(cmd)) return;
	bool failed = false;
	for (std::uint32_t seq: seqs)
	{
		const std::string& now = _mailbox->at(seq).flags;
		std::string next;
		for (char c: std::string("DFPRST"))
		{
			const bool had = now.find(c) != std::string::npos;
			const bool named = letters.find(c) != std::string::npos;
			const bool keep = mode == '=' ? named : mode == '+' ? had || named
																: had && !named;
			if (keep) next += c;
		}
		for (char c: now)
		{
			if (std::string("DFPRST").find(c) == std::string::npos) next += c; // letters IMAP does not name stay
		}
		std::sort(next.begin(), next.end());
		if (!_mailbox->setFlags(seq, next)) failed = true;
		if (!silent)
		{
			untagged(std::to_string(seq) + " FETCH (" + (cmd.uid ? "UID " + std::to_string(_mailbox->at(seq).uid) + " " : std::string())
				+ "FLAGS (" + imapFlagsFromMaildir(_mailbox->at(seq).flags) + "))");
		}
	}
	if (!seqs.empty())
	{
		try
		{
			syncDirectory(_mailboxPath + "/cur");
		}
		catch (const Poco::Exception& exc)
		{
			_log.error("%s cannot sync flags user=%s error=%s", _io.id(), quoteForLog(_account), exc.displayText());
		}
		unlockAfterChange();
	}
	if (failed) no(cmd.tag, "[EXPUNGEISSUED] some messages were removed meanwhile");
	else ok(cmd.tag, cmd.name + " completed");
}


} // namespace mail
