// imap_response.h - reading the values of an IMAP response (RFC 9051 section 9, pure).
//
// The agent needs FETCH data (UID, FLAGS, RFC822.SIZE, BODY[...]) and the counts of
// EXISTS, EXPUNGE and SEARCH; this is the small parser for them: atoms, quoted strings,
// literals (as ImapClient leaves them inline: "{N}\r\n" and N octets), NIL and lists.
#pragma once

#include <map>
#include <string>
#include <vector>


namespace mail {


struct ImapItem
{
	enum class Kind
	{
		Atom,   ///< a number, a flag, a name such as BODY[HEADER.FIELDS (FROM)]
		String, ///< a quoted string or a literal, unescaped
		Nil,
		List ///< ( ... )
	};

	Kind kind = Kind::Atom;
	std::string text;            ///< Atom and String
	std::vector<ImapItem> items; ///< List
};


bool parseItems(const std::string& text, std::vector<ImapItem>& items);
///< Every value of text, in order; false when text is not a sequence of values.

struct FetchData
{
	unsigned long sequence = 0;
	std::map<std::string, ImapItem> items; ///< by upper-case name: UID, FLAGS, BODY[]

	const ImapItem* find(const std::string& name) const; ///< null when absent
	std::string text(const std::string& name) const;     ///< an atom's or string's text, "" else
};


bool parseFetch(const std::string& untagged, FetchData& fetch);
///< "N FETCH (NAME VALUE ...)" (without "* "); false for any other response.

bool parseCount(const std::string& untagged, const std::string& keyword, unsigned long& number);
///< "N KEYWORD" (EXISTS, EXPUNGE): true and number when untagged is one.


} // namespace mail
