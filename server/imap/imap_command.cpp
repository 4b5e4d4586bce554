// imap_command.cpp - one IMAP command line (RFC 9051 section 9) taken apart: tag, name, arguments.
#include "server/imap/imap_command.h"

#include <Poco/String.h>

#include <algorithm>


namespace mail {


namespace {


constexpr int kMaxDepth = 16;


bool atomChar(char c)
{
	// atom-specials: ( ) { SP CTL % * " \ ]  -- but list wildcards, flags and sequence
	// sets are read as atoms here; the command decides what an atom may be.
	const unsigned char u = static_cast<unsigned char>(c);
	return u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '{' && c != '"';
}


class Parser
{
public:
	explicit Parser(const std::string& text):
		_text(text)
	{
	}

	bool atEnd() const { return _pos >= _text.size(); }
	char peek() const { return _text[_pos]; }
	std::size_t pos() const { return _pos; }

	bool word(std::string& out)
	/// A run of atom characters (tag, command name).
	{
		const std::size_t start = _pos;
		while (!atEnd() && atomChar(peek()) && peek() != '[' && peek() != ']') ++_pos;
		out = _text.substr(start, _pos - start);
		return !out.empty();
	}

	bool space()
	{
		if (atEnd() || peek() != ' ') return false;
		++_pos;
		return true;
	}

	bool token(ImapToken& out, std::string& error, int depth)
	{
		if (depth > kMaxDepth)
		{
			error = "lists nested too deeply";
			return false;
		}
		if (atEnd())
		{
			error = "missing argument";
			return false;
		}
		const char c = peek();
		if (c == '(') return list(out, error, depth);
		if (c == '"') return quoted(out, error);
		if (c == '{') return literal(out, error);
		return atom(out, error);
	}

private:
	bool list(ImapToken& out, std::string& error, int depth)
	{
		out.kind = ImapToken::Kind::List;
		++_pos; // (
		while (!atEnd() && peek() != ')')
		{
			if (!out.items.empty() && !space())
			{
				error = "expected a space or ) in a list";
				return false;
			}
			ImapToken item;
			if (!token(item, error, depth + 1)) return false;
			out.items.push_back(std::move(item));
		}
		if (atEnd())
		{
			error = "unterminated list";
			return false;
		}
		++_pos; // )
		return true;
	}

	bool quoted(ImapToken& out, std::string& error)
	{
		out.kind = ImapToken::Kind::String;
		++_pos;
		while (!atEnd() && peek() != '"')
		{
			char c = peek();
			if (c == '\r' || c == '\n')
			{
				error = "line end inside a quoted string";
				return false;
			}
			if (c == '\\')
			{
				++_pos;
				if (atEnd() || (peek() != '"' && peek() != '\\'))
				{
					error = "bad escape in a quoted string";
					return false;
				}
				c = peek();
			}
			out.text += c;
			++_pos;
		}
		if (atEnd())
		{
			error = "unterminated quoted string";
			return false;
		}
		++_pos;
		return true;
	}

	bool literal(ImapToken& out, std::string& error)
	{
		out.kind = ImapToken::Kind::String;
		++_pos; // {
		std::uint64_t size = 0;
		std::size_t digits = 0;
		while (!atEnd() && peek() >= '0' && peek() <= '9' && digits < 10)
		{
			size = size * 10 + static_cast<unsigned>(peek() - '0');
			++_pos;
			++digits;
		}
		if (!atEnd() && peek() == '+') ++_pos; // LITERAL+ / LITERAL- (RFC 7888)
		if (digits == 0 || _text.compare(_pos, 3, "}\r\n") != 0)
		{
			error = "bad literal";
			return false;
		}
		_pos += 3;
		if (size > _text.size() - _pos)
		{
			error = "literal shorter than announced";
			return false;
		}
		out.text = _text.substr(_pos, static_cast<std::size_t>(size));
		_pos += static_cast<std::size_t>(size);
		return true;
	}

	bool atom(ImapToken& out, std::string& error)
	{
		// Brackets hold anything up to their closing one (BODY[HEADER.FIELDS (A B)]),
		// and a partial <0.100> follows them.
		out.kind = ImapToken::Kind::Atom;
		const std::size_t start = _pos;
		while (!atEnd())
		{
			const char c = peek();
			if (c == '[')
			{
				const std::size_t close = _text.find(']', _pos);
				if (close == std::string::npos || _text.find_first_of("\r\n", _pos) < close)
				{
					error = "unterminated [";
					return false;
				}
				_pos = close + 1;
				continue;
			}
			if (!atomChar(c) || c == ']') break;
			++_pos;
		}
		out.text = _text.substr(start, _pos - start);
		if (out.text.empty())
		{
			error = "unexpected character";
			return false;
		}
		return true;
	}

	const std::string& _text;
	std::size_t _pos = 0;
};


bool readNumber(const std::string& text, std::size_t& pos, std::uint32_t& value)
{
	if (pos < text.size() && text[pos] == '*')
	{
		++pos;
		value = kImapStar;
		return true;
	}
	std::uint64_t v = 0;
	const std::size_t start = pos;
	while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
	{
		v = v * 10 + static_cast<unsigned>(text[pos] - '0');
		if (v > 0xfffffffeu) return false;
		++pos;
	}
	if (pos == start || v == 0) return false;
	value = static_cast<std::uint32_t>(v);
	return true;
}


} // namespace


ImapCommand parseImapCommand(const std::string& text)
{
	ImapCommand cmd;
	Parser parser(text);
	if (!parser.word(cmd.tag) || cmd.tag.find_first_of("+%*") != std::string::npos)
	{
		cmd.tag.clear();
		cmd.error = "missing or bad tag";
		return cmd;
	}
	if (!parser.space() || !parser.word(cmd.name))
	{
		cmd.error = "missing command";
		return cmd;
	}
	cmd.name = Poco::toUpper(cmd.name);
	if (cmd.name == "UID")
	{
		cmd.uid = true;
		if (!parser.space() || !parser.word(cmd.name))
		{
			cmd.error = "UID needs a command";
			return cmd;
		}
		cmd.name = Poco::toUpper(cmd.name);
	}
	while (!parser.atEnd())
	{
		if (!parser.space())
		{
			cmd.error = "expected a space between arguments";
			return cmd;
		}
		ImapToken token;
		if (!parser.token(token, cmd.error, 0)) return cmd;
		cmd.args.push_back(std::move(token));
	}
	return cmd;
}


bool parseSequenceSet(const std::string& text, ImapSequenceSet& out)
{
	out.clear();
	std::size_t pos = 0;
	while (true)
	{
		std::uint32_t first = 0;
		if (!readNumber(text, pos, first)) return false;
		std::uint32_t last = first;
		if (pos < text.size() && text[pos] == ':')
		{
			++pos;
			if (!readNumber(text, pos, last)) return false;
		}
		out.emplace_back(std::min(first, last), std::max(first, last));
		if (out.size() > 10000) return false; // a set longer than any command line allows
		if (pos == text.size()) return true;
		if (text[pos] != ',') return false;
		++pos;
	}
}


bool inSequenceSet(const ImapSequenceSet& set, std::uint32_t value, std::uint32_t largest)
{
	for (const auto& range: set)
	{
		std::uint32_t low = range.first == kImapStar ? largest : range.first;
		std::uint32_t high = range.second == kImapStar ? largest : range.second;
		if (low > high) std::swap(low, high);
		if (value >= low && value <= high) return true;
	}
	return false;
}


std::string formatSequenceSet(const std::vector<std::uint32_t>& values)
{
	std::string out;
	for (std::size_t i = 0; i < values.size();)
	{
		std::size_t j = i;
		while (j + 1 < values.size() && values[j + 1] == values[j] + 1) ++j;
		if (!out.empty()) out += ',';
		out += std::to_string(values[i]);
		if (j > i) out += ':' + std::to_string(values[j]);
		i = j + 1;
	}
	return out;
}


} // namespace mail
