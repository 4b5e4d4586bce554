// imap_session_search.cpp - SEARCH and UID SEARCH (RFC 9051 6.4.4): flags, dates, sizes, header
// and text substrings, sets, NOT, OR; ESEARCH replies for IMAP4rev2 clients.
#include "server/imap/imap_session.h"

#include "server/imap/imap_message.h"

#include <Poco/String.h>

#include <algorithm>
#include <ctime>
#include <strings.h>


namespace mail {


namespace {


struct Searched
/// One message as the criteria see it; its text is read only when a criterion needs it.
{
	ImapMailbox& mailbox;
	std::uint32_t seq;
	std::string& text;
	bool loaded = false;
	bool gone = false;

	const std::string& message()
	{
		if (!loaded)
		{
			gone = !mailbox.read(seq, text);
			if (gone) text.clear();
			loaded = true;
		}
		return text;
	}
};


bool containsNoCase(const std::string& haystack, const std::string& needle)
{
	if (needle.empty()) return true;
	return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
		return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
	}) != haystack.end();
}


bool parseDate(const std::string& text, std::int64_t& day)
/// "5-Dec-2026" or "05-Dec-2026" -> days since the epoch.
{
	static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
	const std::size_t a = text.find('-'), b = text.rfind('-');
	if (a == std::string::npos || b == a || a == 0 || a > 2 || b - a != 4 || text.size() - b != 5) return false;
	int mday = 0, year = 0, month = -1;
	for (std::size_t i = 0; i < a; ++i)
	{
		if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
		mday = mday * 10 + (text[i] - '0');
	}
	for (std::size_t i = b + 1; i < text.size(); ++i)
	{
		if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
		year = year * 10 + (text[i] - '0');
	}
	const std::string mon = Poco::toLower(text.substr(a + 1, 3));
	for (int m = 0; m < 12; ++m)
	{
		if (mon == kMonths[m]) month = m;
	}
	if (month < 0 || mday < 1 || mday > 31 || year < 1900) return false;
	std::tm tm{};
	tm.tm_mday = mday;
	tm.tm_mon = month;
	tm.tm_year = year - 1900;
	day = static_cast<std::int64_t>(timegm(&tm)) / 86400;
	return true;
}


class Criteria
/// Evaluates the search keys of one command over one message at a time; the first
/// syntax error stops it (error set).
{
public:
	Criteria(const std::vector<ImapToken>& keys, std::size_t start, bool uid, std::uint32_t count, std::uint32_t largestUid):
		_keys(keys),
		_start(start),
		_count(count),
		_largestUid(largestUid)
	{
		(void)uid;
	}

	bool matches(Searched& message, std::string& error)
	{
		std::size_t pos = _start;
		bool all = true;
		while (pos < _keys.size() && error.empty()) all = key(_keys, pos, message, error) && all;
		return all && error.empty();
	}

private:
	bool key(const std::vector<ImapToken>& keys, std::size_t& pos, Searched& m, std::string& error)
	{
		const ImapToken& token = keys[pos++];
		if (token.kind == ImapToken::Kind::List)
		{
			std::size_t inner = 0;
			bool all = !token.items.empty();
			if (!all) error = "empty search list";
			while (inner < token.items.size() && error.empty()) all = key(token.items, inner, m, error) && all;
			return all;
		}
		const std::string name = Poco::toUpper(token.text);
		const ImapMessage& message = m.mailbox.at(m.seq);
		const auto flag = [&](char c) { return message.flags.find(c) != std::string::npos; };
		const auto argument = [&](std::string& out) {
			if (pos >= keys.size() || !keys[pos].isString())
			{
				error = name + " needs an argument";
				return false;
			}
			out = keys[pos++].text;
			return true;
		};
		std::string arg;
		if (name == "ALL") return true;
		if (name == "SEEN") return flag('S');
		if (name == "UNSEEN") return !flag('S');
		if (name == "DELETED") return flag('T');
		if (name == "UNDELETED") return !flag('T');
		if (name == "FLAGGED") return flag('F');
		if (name == "UNFLAGGED") return !flag('F');
		if (name == "ANSWERED") return flag('R');
		if (name == "UNANSWERED") return !flag('R');
		if (name == "DRAFT") return flag('D');
		if (name == "UNDRAFT") return !flag('D');
		if (name == "RECENT" || name == "NEW") return false; // no \Recent on this server
		if (name == "OLD") return true;
		if (name == "NOT")
		{
			if (pos >= keys.size())
			{
				error = "NOT needs a key";
				return false;
			}
			return !key(keys, pos, m, error);
		}
		if (name == "OR")
		{
			if (pos + 1 >= keys.size())
			{
				error = "OR needs two keys";
				return false;
			}
			const bool a = key(keys, pos, m, error);
			if (pos >= keys.size())
			{
				error = "OR needs two keys";
				return false;
			}
			const bool b = key(keys, pos, m, error);
			return a || b;
		}
		if (name == "KEYWORD") return argument(arg) && false;
		if (name == "UNKEYWORD") return argument(arg);
		if (name == "LARGER" || name == "SMALLER")
		{
			if (!argument(arg) || arg.empty() || arg.size() > 19 || arg.find_first_not_of("0123456789") != std::string::npos)
			{
				if (error.empty()) error = name + " needs a number";
				return false;
			}
			const std::uint64_t size = std::stoull(arg);
			return name == "LARGER" ? message.size > size : message.size < size;
		}
		if (name == "SINCE" || name == "BEFORE" || name == "ON" || name == "SENTSINCE" || name == "SENTBEFORE" || name == "SENTON")
		{
			std::int64_t day = 0;
			if (!argument(arg) || !parseDate(arg, day))
			{
				if (error.empty()) error = name + " needs a date like 5-Dec-2026";
				return false;
			}
			const std::int64_t has = message.date / 86400; // the SENT* keys use the delivery date too
			const std::string base = name.compare(0, 4, "SENT") == 0 ? name.substr(4) : name;
			return base == "SINCE" ? has >= day : base == "BEFORE" ? has < day
																   : has == day;
		}
		if (name == "FROM" || name == "TO" || name == "CC" || name == "BCC" || name == "SUBJECT")
		{
			if (!argument(arg)) return false;
			const std::string& text = m.message();
			return containsNoCase(imapHeaderValue(text, 0, text.size(), name), arg);
		}
		if (name == "HEADER")
		{
			std::string field;
			if (!argument(field) || !argument(arg)) return false;
			const std::string& text = m.message();
			const std::string value = imapHeaderValue(text, 0, text.size(), field);
			if (arg.empty()) return text.find("\r\n" + field) != std::string::npos || containsNoCase(text.substr(0, field.size()), field);
			return containsNoCase(value, arg);
		}
		if (name == "BODY" || name == "TEXT")
		{
			if (!argument(arg)) return false;
			const std::string& text = m.message();
			if (name == "TEXT") return containsNoCase(text, arg);
			const std::size_t blank = text.find("\r\n\r\n");
			return blank != std::string::npos && containsNoCase(text.substr(blank + 4), arg);
		}
		if (name == "UID")
		{
			ImapSequenceSet set;
			if (!argument(arg) || !parseSequenceSet(arg, set))
			{
				if (error.empty()) error = "UID needs a set";
				return false;
			}
			return inSequenceSet(set, message.uid, _largestUid);
		}
		ImapSequenceSet set;
		if (token.isAtom() && parseSequenceSet(token.text, set)) return inSequenceSet(set, m.seq, _count);
		error = "unknown search key " + token.text.substr(0, 20);
		return false;
	}

	const std::vector<ImapToken>& _keys;
	const std::size_t _start;
	const std::uint32_t _count;
	const std::uint32_t _largestUid;
};


} // namespace


void ImapSession::doSearch(const ImapCommand& cmd)
{
	std::size_t start = 0;
	bool extended = _rev2;
	std::vector<std::string> options;
	if (start < cmd.args.size() && cmd.args[start].isAtom() && Poco::toUpper(cmd.args[start].text) == "RETURN")
	{
		if (start + 1 >= cmd.args.size() || cmd.args[start + 1].kind != ImapToken::Kind::List)
		{
			bad(cmd.tag, "RETURN needs a list");
			return;
		}
		for (const ImapToken& option: cmd.args[start + 1].items) options.push_back(Poco::toUpper(option.text));
		extended = true;
		start += 2;
	}
	if (start < cmd.args.size() && cmd.args[start].isAtom() && Poco::toUpper(cmd.args[start].text) == "CHARSET")
	{
		if (start + 1 >= cmd.args.size())
		{
			bad(cmd.tag, "CHARSET needs a name");
			return;
		}
		const std::string charset = Poco::toUpper(cmd.args[start + 1].text);
		if (charset != "UTF-8" && charset != "US-ASCII")
		{
			no(cmd.tag, "[BADCHARSET (UTF-8 US-ASCII)] unsupported charset");
			return;
		}
		start += 2;
	}
	if (start >= cmd.args.size())
	{
		bad(cmd.tag, "SEARCH needs criteria");
		return;
	}
	Criteria criteria(cmd.args, start, cmd.uid, static_cast<std::uint32_t>(_mailbox->count()), _mailbox->largestUid());
	std::vector<std::uint32_t> found;
	std::string error;
	for (std::uint32_t seq = 1; seq <= _mailbox->count() && error.empty(); ++seq)
	{
		Searched message{*_mailbox, seq, _scratch};
		if (criteria.matches(message, error)) found.push_back(cmd.uid ? _mailbox->at(seq).uid : seq);
	}
	if (!error.empty())
	{
		bad(cmd.tag, error);
		return;
	}
	if (extended)
	{
		std::string reply = "ESEARCH (TAG " + imapNString(cmd.tag) + ")" + (cmd.uid ? " UID" : "");
		const bool all = options.empty() || std::find(options.begin(), options.end(), "ALL") != options.end();
		if (std::find(options.begin(), options.end(), "MIN") != options.end() && !found.empty()) reply += " MIN " + std::to_string(found.front());
		if (std::find(options.begin(), options.end(), "MAX") != options.end() && !found.empty()) reply += " MAX " + std::to_string(found.back());
		if (std::find(options.begin(), options.end(), "COUNT") != options.end()) reply += " COUNT " + std::to_string(found.size());
		if (all && !found.empty()) reply += " ALL " + formatSequenceSet(found);
		untagged(reply);
	}
	else
	{
		std::string reply = "SEARCH";
		for (std::uint32_t n: found) reply += " " + std::to_string(n);
		untagged(reply);
	}
	ok(cmd.tag, cmd.name + " completed");
}


} // namespace mail
