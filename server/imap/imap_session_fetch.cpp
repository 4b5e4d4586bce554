// imap_session_fetch.cpp - FETCH and UID FETCH (RFC 9051 6.4.5): flags, sizes, dates, ENVELOPE,
// BODYSTRUCTURE and BODY[section]<partial>, setting \Seen unless PEEK or EXAMINE.
#include "server/imap/imap_session.h"

#include "common/ops/log.h"
#include "server/imap/imap_message.h"
#include "server/mail/mail_events.h"
#include "server/store/durable_file.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

#include <ctime>


namespace mail {


namespace {


struct FetchItem
{
	std::string name;    ///< FLAGS, UID, RFC822.SIZE, INTERNALDATE, ENVELOPE, BODYSTRUCTURE, BODY, BODY[]
	std::string section; ///< inside the brackets (for BODY[...]), as the client wrote it
	bool peek = false;
	bool partial = false;
	std::uint64_t offset = 0, count = 0;
	std::string label; ///< what the reply names it: BODY[HEADER]<0>, RFC822, ...
};


bool parseItem(const std::string& text, FetchItem& item)
{
	std::string word = Poco::toUpper(text);
	const std::size_t bracket = word.find('[');
	const std::string head = word.substr(0, bracket);
	if (bracket == std::string::npos)
	{
		static const char* const kPlain[] = {"FLAGS", "UID", "RFC822.SIZE", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE",
			"BODY", "RFC822", "RFC822.HEADER", "RFC822.TEXT"};
		for (const char* name: kPlain)
		{
			if (word == name)
			{
				item.name = name;
				item.label = name;
				if (word == "RFC822") item.section = "";
				else if (word == "RFC822.HEADER")
				{
					item.section = "HEADER";
					item.peek = true;
				}
				else if (word == "RFC822.TEXT") item.section = "TEXT";
				return true;
			}
		}
		return false;
	}
	if (head != "BODY" && head != "BODY.PEEK") return false;
	const std::size_t close = text.find(']', bracket);
	if (close == std::string::npos) return false;
	item.name = "BODY[]";
	item.peek = head == "BODY.PEEK";
	item.section = text.substr(bracket + 1, close - bracket - 1);
	item.label = "BODY[" + Poco::toUpper(item.section) + "]";
	const std::string rest = text.substr(close + 1);
	if (rest.empty()) return true;
	// <offset.count>
	if (rest.front() != '<' || rest.back() != '>') return false;
	const std::string inner = rest.substr(1, rest.size() - 2);
	const std::size_t dot = inner.find('.');
	if (dot == std::string::npos || dot == 0 || dot > 10 || inner.size() - dot - 1 > 10 || dot + 1 == inner.size()) return false;
	for (std::size_t i = 0; i < inner.size(); ++i)
	{
		if (i != dot && (inner[i] < '0' || inner[i] > '9')) return false;
	}
	item.partial = true;
	item.offset = std::stoull(inner.substr(0, dot));
	item.count = std::stoull(inner.substr(dot + 1));
	if (item.count == 0) return false;
	item.label += "<" + std::to_string(item.offset) + ">";
	return true;
}


bool parseItems(const ImapToken& token, std::vector<FetchItem>& items)
{
	std::vector<std::string> words;
	if (token.kind == ImapToken::Kind::List)
	{
		for (const ImapToken& t: token.items)
		{
			if (!t.isAtom()) return false;
			words.push_back(t.text);
		}
	}
	else if (token.isAtom())
	{
		const std::string macro = Poco::toUpper(token.text);
		if (macro == "ALL") words = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"};
		else if (macro == "FAST") words = {"FLAGS", "INTERNALDATE", "RFC822.SIZE"};
		else if (macro == "FULL") words = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"};
		else words = {token.text};
	}
	else
	{
		return false;
	}
	for (const std::string& word: words)
	{
		FetchItem item;
		if (!parseItem(word, item)) return false;
		items.push_back(std::move(item));
	}
	return !items.empty();
}


std::string internalDate(std::int64_t seconds)
{
	static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	const std::time_t t = static_cast<std::time_t>(seconds);
	std::tm tm{};
	gmtime_r(&t, &tm);
	char buffer[64];
	std::snprintf(buffer, sizeof buffer, "\"%02d-%s-%04d %02d:%02d:%02d +0000\"", tm.tm_mday, kMonths[tm.tm_mon],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buffer;
}


} // namespace


void ImapSession::recordFetch(const ImapMessage& message, const CrlfText& text, std::size_t size)
{
	++_fetched;
	// The Message-ID as the read found it, not from the file again.
	_context.events->imapFetch(_io.id(), _account, _mailboxPath + "/" + message.file, text.messageId, size);
}


void ImapSession::doFetch(const ImapCommand& cmd)
{
	std::vector<FetchItem> items;
	if (cmd.args.size() != 2 || !parseItems(cmd.args[1], items))
	{
		bad(cmd.tag, "FETCH needs a set and data items (FLAGS UID RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY[...])");
		return;
	}
	std::vector<std::uint32_t> seqs;
	if (!messageSet(cmd, cmd.args[0], seqs)) return;
	bool needText = false, needParts = false, wantsFlags = false, setsSeen = false, wantsBody = false;
	for (const FetchItem& item: items)
	{
		const bool text = item.name != "FLAGS" && item.name != "UID" && item.name != "RFC822.SIZE" && item.name != "INTERNALDATE";
		// The whole message (BODY[], RFC822: what clients fetch most) is the text as read.
		const bool whole = (item.name == "BODY[]" || item.name == "RFC822") && item.section.empty() && !item.partial;
		needText = needText || text;
		needParts = needParts || (text && !whole);
		wantsFlags = wantsFlags || item.name == "FLAGS";
		wantsBody = wantsBody || item.name == "BODY[]" || item.name == "RFC822" || item.name == "RFC822.TEXT";
		setsSeen = setsSeen || ((item.name == "BODY[]" || item.name == "RFC822" || item.name == "RFC822.TEXT") && !item.peek);
	}
	if (wantsBody && faulted(FaultStage::Retr, cmd.tag, _account)) return;
	setsSeen = setsSeen && !_readOnly;
	bool locked = false, vanished = false, changed = false;
	std::string& out = _io.buffer();
	for (std::uint32_t seq: seqs)
	{
		ImapPart root;
		std::shared_ptr<const CrlfText> text;
		if (needText)
		{
			text = _mailbox->text(seq, _scratch);
			if (!text)
			{
				vanished = true;
				continue;
			}
			if (needParts) root = parseImapPart(text->text, 0, text->text.size());
		}
		bool addFlags = false;
		if (setsSeen && _mailbox->at(seq).flags.find('S') == std::string::npos)
		{
			// The first read marks the message \Seen; when a POP3 session has the
			// mailbox the flag waits (the message is still sent).
			if (!locked && _lock.acquire(_mailboxPath) == MailboxLock::Result::Acquired && !_lock.readOnly()) locked = true;
			if (locked)
			{
				std::string flags = _mailbox->at(seq).flags + "S";
				std::sort(flags.begin(), flags.end());
				if (_mailbox->setFlags(seq, flags))
				{
					changed = true;
					addFlags = !wantsFlags;
				}
			}
			else if (_lock.held())
			{
				_lock.release();
			}
		}
		const ImapMessage& message = _mailbox->at(seq);
		const SessionIo::Mark mark = _io.mark(); // this message's reply starts here (flushes happen between messages)
		out += "* " + std::to_string(seq) + " FETCH (";
		bool first = true;
		const auto add = [&](const std::string& text) {
			if (!first) out += ' ';
			out += text;
			first = false;
		};
		if (cmd.uid) add("UID " + std::to_string(message.uid));
		for (const FetchItem& item: items)
		{
			if (item.name == "UID")
			{
				if (!cmd.uid) add("UID " + std::to_string(message.uid));
			}
			else if (item.name == "FLAGS") add("FLAGS (" + imapFlagsFromMaildir(message.flags) + ")");
			else if (item.name == "RFC822.SIZE") add("RFC822.SIZE " + std::to_string(message.size));
			else if (item.name == "INTERNALDATE") add("INTERNALDATE " + internalDate(message.date));
			else if (item.name == "ENVELOPE") add("ENVELOPE " + imapEnvelope(text->text, root));
			else if (item.name == "BODYSTRUCTURE") add("BODYSTRUCTURE " + imapBodyStructure(text->text, root, true));
			else if (item.name == "BODY") add("BODY " + imapBodyStructure(text->text, root, false));
			else if (item.section.empty() && !item.partial)
			{
				if (!first) out += ' ';
				first = false;
				out += item.label + " {" + std::to_string(text->text.size()) + "}\r\n";
				_io.attach(std::shared_ptr<const std::string>(text, &text->text)); // sent from the cache's copy
				recordFetch(message, *text, text->text.size());
			}
			else
			{
				std::string data;
				if (!imapSection(text->text, root, item.section, data))
				{
					_io.rollback(mark);
					bad(cmd.tag, "bad section " + quoteForLog(item.section, 40));
					if (locked) unlockAfterChange();
					return;
				}
				if (item.partial)
				{
					data = item.offset >= data.size() ? std::string() : data.substr(item.offset, item.count);
				}
				const std::string& label = item.label;
				if (!first) out += ' ';
				first = false;
				out += label + " {" + std::to_string(data.size()) + "}\r\n";
				out += data;
				if (item.section.empty()) recordFetch(message, *text, data.size());
			}
		}
		if (addFlags) add("FLAGS (" + imapFlagsFromMaildir(message.flags) + ")");
		out += ")\r\n";
		if (_io.queued() > std::size_t{256} * 1024) _io.flush();
	}
	if (locked)
	{
		if (changed)
		{
			try
			{
				syncDirectory(_mailboxPath + "/cur");
			}
			catch (const Poco::Exception& exc)
			{
				_log.error("%s cannot sync flags user=%s error=%s", _io.id(), quoteForLog(_account), exc.displayText());
			}
		}
		unlockAfterChange();
	}
	if (_scratch.capacity() > std::size_t{1024} * 1024) std::string().swap(_scratch);
	if (vanished) no(cmd.tag, "[EXPUNGEISSUED] some messages were removed meanwhile");
	else ok(cmd.tag, cmd.name + " completed");
}


} // namespace mail
