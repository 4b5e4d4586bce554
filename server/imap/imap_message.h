// imap_message.h - what FETCH reads from one message: MIME structure, sections, ENVELOPE,
// BODYSTRUCTURE (RFC 9051 sections 6.4.5 and 7.5.2), on the message with CRLF line ends.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>


namespace mail {


struct ImapPart
/// One MIME entity: offsets into the message text, its content headers, its children
/// (the parts of a multipart, or the one message inside a message/rfc822).
{
	std::size_t headerStart = 0;
	std::size_t bodyStart = 0; ///< after the blank line (or the end when there is none)
	std::size_t end = 0;
	std::string type = "text";
	std::string subtype = "plain";
	std::vector<std::pair<std::string, std::string>> params; ///< Content-Type parameters
	std::string id, description, encoding = "7BIT", disposition, md5, language, location;
	std::vector<std::pair<std::string, std::string>> dispositionParams;
	std::vector<ImapPart> children;

	bool multipart() const { return type == "multipart"; }
	bool message() const { return type == "message" && (subtype == "rfc822" || subtype == "global"); }
};


ImapPart parseImapPart(const std::string& text, std::size_t start, std::size_t end, bool digestDefault = false,
	int depth = 0);
/// The entity in text[start, end). Never throws; nesting deeper than 20 is read as a leaf.

std::string imapBodyStructure(const std::string& text, const ImapPart& part, bool extended);
/// BODYSTRUCTURE (extended) or BODY (not) of part.
std::string imapEnvelope(const std::string& text, const ImapPart& part);
/// ENVELOPE from part's header.

bool imapSection(const std::string& text, const ImapPart& root, const std::string& section, std::string& out);
/// The contents of BODY[section] ("", "HEADER", "TEXT", "1.2", "1.MIME",
/// "HEADER.FIELDS (FROM TO)", "2.HEADER.FIELDS.NOT (X)"), false when the section is
/// malformed; a part number beyond the message gives an empty string (RFC 9051 6.4.5).

std::string imapHeaderValue(const std::string& text, std::size_t start, std::size_t end, const std::string& name);
/// The first field named name (any case), unfolded, without leading blanks; "" when none.

std::string imapNString(const std::string& value);
/// value as an IMAP string: quoted when it can be, else a literal.
std::string imapLiteral(const std::string& value);
/// {N}\r\n + value.


} // namespace mail
