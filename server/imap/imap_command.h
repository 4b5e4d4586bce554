// imap_command.h - one IMAP command line (RFC 9051 section 9) taken apart: tag, name, arguments.
//
// A pure function over the whole command text, literals included as the client sent them
// ("{5}\r\nalice"), so the libFuzzer target and the unit tests drive it without a socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>


namespace mail {


struct ImapToken
{
	enum class Kind
	{
		Atom,   ///< anything unquoted: NIL, 1:*, \Seen, BODY.PEEK[HEADER.FIELDS (FROM)]<0.10>
		String, ///< a quoted string or a literal, unescaped
		List    ///< a parenthesized list
	};
	Kind kind = Kind::Atom;
	std::string text;             ///< atom or string contents
	std::vector<ImapToken> items; ///< the list's members

	bool isAtom() const { return kind == Kind::Atom; }
	bool isString() const { return kind != Kind::List; } ///< an astring: atom or string
};


struct ImapCommand
{
	std::string tag;             ///< empty when the line has none (then BAD with "*")
	std::string name;            ///< upper case; for UID FETCH etc. the second word, with uid set
	bool uid = false;            ///< "UID FETCH", "UID STORE", "UID SEARCH", "UID EXPUNGE"
	std::vector<ImapToken> args; ///< the arguments after the name
	std::string error;           ///< non-empty: a syntax error, answered with BAD

	bool ok() const { return error.empty(); }
};


ImapCommand parseImapCommand(const std::string& text);
/// text: the command without its final CRLF (literals inside it with their CRLF).
/// Never throws; a nesting deeper than 16 lists, a bad literal or quoted string give error.


/// A sequence set (RFC 9051 "sequence-set"): ranges of numbers, `*` as kStar.
using ImapSequenceSet = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
constexpr std::uint32_t kImapStar = 0xffffffffu;

bool parseSequenceSet(const std::string& text, ImapSequenceSet& out);
/// "1:3,7,9:*": false when malformed or a number is 0 or out of 32 bits.
bool inSequenceSet(const ImapSequenceSet& set, std::uint32_t value, std::uint32_t largest);
/// Whether value is in set, `*` standing for largest (a range n:* with n > largest still holds largest).

std::string formatSequenceSet(const std::vector<std::uint32_t>& sortedValues);
/// 1,2,3,5 -> "1:3,5" (for ESEARCH); empty for none.


} // namespace mail
