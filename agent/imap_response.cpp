// imap_response.cpp - a small recursive reader of IMAP values.
#include "agent/imap_response.h"

#include <Poco/NumberParser.h>
#include <Poco/String.h>


namespace mail {


namespace {


constexpr unsigned MaxDepth = 32; ///< nested lists (BODYSTRUCTURE needs a few)


bool parseNumber(const std::string& text, unsigned long& number)
/// Up to 10 digits: message numbers, UIDs and literal sizes (all below 2^32 + a little).
{
	Poco::UInt64 value = 0;
	if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos
		|| !Poco::NumberParser::tryParseUnsigned64(text, value))
		return false;
	number = static_cast<unsigned long>(value);
	return true;
}


class ItemReader
{
public:
	explicit ItemReader(const std::string& text):
		_text(text) {}

	bool readAll(std::vector<ImapItem>& items)
	{
		skipSpaces();
		while (_pos < _text.size())
		{
			items.emplace_back();
			if (!readItem(items.back(), 0)) return false;
			skipSpaces();
		}
		return true;
	}

private:
	void skipSpaces()
	{
		while (_pos < _text.size() && _text[_pos] == ' ') ++_pos;
	}

	bool readItem(ImapItem& item, unsigned depth)
	{
		if (_pos >= _text.size()) return false;
		const char c = _text[_pos];
		if (c == '(') return readList(item, depth);
		if (c == '"') return readQuoted(item);
		if (c == '{') return readLiteral(item);
		return readAtom(item);
	}

	bool readList(ImapItem& item, unsigned depth)
	{
		if (depth >= MaxDepth) return false;
		item.kind = ImapItem::Kind::List;
		++_pos;
		for (;;)
		{
			skipSpaces();
			if (_pos >= _text.size()) return false;
			if (_text[_pos] == ')')
			{
				++_pos;
				return true;
			}
			item.items.emplace_back();
			if (!readItem(item.items.back(), depth + 1)) return false;
		}
	}

	bool readQuoted(ImapItem& item)
	{
		item.kind = ImapItem::Kind::String;
		for (++_pos; _pos < _text.size(); ++_pos)
		{
			char c = _text[_pos];
			if (c == '"')
			{
				++_pos;
				return true;
			}
			if (c == '\\')
			{
				if (++_pos >= _text.size()) return false;
				c = _text[_pos];
			}
			item.text += c;
		}
		return false;
	}

	bool readLiteral(ImapItem& item)
	{
		const std::size_t close = _text.find('}', _pos);
		if (close == std::string::npos || _text.compare(close + 1, 2, "\r\n") != 0) return false;
		std::string digits = _text.substr(_pos + 1, close - _pos - 1);
		if (!digits.empty() && digits.back() == '+') digits.pop_back();
		unsigned long size = 0;
		if (!parseNumber(digits, size)) return false;
		const std::size_t start = close + 3;
		if (size > _text.size() - start) return false;
		item.kind = ImapItem::Kind::String;
		item.text = _text.substr(start, size);
		_pos = start + size;
		return true;
	}

	bool readAtom(ImapItem& item)
	{
		const std::size_t start = _pos;
		while (_pos < _text.size())
		{
			const char c = _text[_pos];
			if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{') break;
			if (c == '[')
			{
				// a section holds spaces and parentheses: BODY[HEADER.FIELDS (FROM SUBJECT)]
				const std::size_t close = _text.find(']', _pos);
				if (close == std::string::npos) return false;
				_pos = close + 1;
				continue;
			}
			++_pos;
		}
		if (_pos == start) return false;
		item.text = _text.substr(start, _pos - start);
		item.kind = Poco::icompare(item.text, "NIL") == 0 ? ImapItem::Kind::Nil : ImapItem::Kind::Atom;
		return true;
	}

	const std::string& _text;
	std::size_t _pos = 0;
};


} // namespace


bool parseItems(const std::string& text, std::vector<ImapItem>& items)
{
	return ItemReader(text).readAll(items);
}


const ImapItem* FetchData::find(const std::string& name) const
{
	auto it = items.find(name);
	return it == items.end() ? nullptr : &it->second;
}


std::string FetchData::text(const std::string& name) const
{
	const ImapItem* item = find(name);
	return item && item->kind != ImapItem::Kind::List ? item->text : "";
}


bool parseFetch(const std::string& untagged, FetchData& fetch)
{
	const std::size_t space = untagged.find(' ');
	if (space == std::string::npos || Poco::icompare(untagged, space + 1, 6, "FETCH ") != 0) return false;
	if (!parseNumber(untagged.substr(0, space), fetch.sequence)) return false;
	std::vector<ImapItem> values;
	if (!parseItems(untagged.substr(space + 7), values) || values.size() != 1 || values[0].kind != ImapItem::Kind::List)
		return false;
	const auto& list = values[0].items;
	if (list.size() % 2 != 0) return false;
	for (std::size_t i = 0; i < list.size(); i += 2)
	{
		if (list[i].kind != ImapItem::Kind::Atom) return false;
		fetch.items[Poco::toUpper(list[i].text)] = list[i + 1];
	}
	return true;
}


bool parseCount(const std::string& untagged, const std::string& keyword, unsigned long& number)
{
	const std::size_t space = untagged.find(' ');
	if (space == std::string::npos || Poco::icompare(untagged.substr(space + 1), keyword) != 0) return false;
	return parseNumber(untagged.substr(0, space), number);
}


} // namespace mail
