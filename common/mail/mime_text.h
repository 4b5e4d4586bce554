// mime_text.h - turning a received message into readable UTF-8 (pure): the agent's retr and
// the HTTP API's message view.
//
// Decodes RFC 2047 encoded words in headers, base64 and quoted-printable bodies, and
// converts the charsets Poco knows (UTF-8, ISO-8859-1/2/15, Windows-125x, UTF-16/32)
// to UTF-8. Multipart messages show their text parts and one line per other part.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>


namespace mail {


std::string unixLines(const std::string& text);
///< CRLF -> LF.

std::string decodeBase64(const std::string& text);
///< Whitespace and line breaks are skipped; decoding stops at the first invalid character.

std::string decodeQuotedPrintable(const std::string& text);
///< "=XX" escapes and soft line breaks ("=" at the end of a line).

std::string toUtf8(const std::string& text, const std::string& charset);
///< Bytes in charset -> UTF-8; an unknown or empty charset leaves them as they are.

std::string unfold(const std::string& value);
///< A folded header value on one line: each run of white space (the folds' CRLF and
///  indentation included) becomes one space.

bool readHeaderFields(const std::string& raw, std::vector<std::pair<std::string, std::string>>& fields,
	std::size_t& pos);
///< The header block of raw (up to its empty line) as (name, value) pairs, values as
///  written (folds kept): Poco's MessageHeader::read() decodes encoded words itself,
///  keeping the space between adjacent ones and the bytes of charsets it lacks.
///  pos receives where the body starts. False when a line is not a field.

std::string decodeHeaderValue(const std::string& value);
///< RFC 2047: "=?UTF-8?B?...?=" and "=?ISO-8859-1?Q?...?=" words -> UTF-8; white
///  space between two adjacent encoded words is dropped (RFC 2047 section 6.2).

std::string decodeBody(const std::string& body, const std::string& transferEncoding,
	const std::string& charset);
///< Content-Transfer-Encoding (base64, quoted-printable, 7bit/8bit/binary) then charset.

std::string renderMessage(const std::string& raw);
///< A whole RFC 5322 message -> its headers (decoded, unfolded), an empty line, and the
///  body for reading. Line endings become "\n".


} // namespace mail
