// mime_message.h - one stored message taken apart for the API: headers, text, HTML, parts.
#pragma once

#include <string>
#include <utility>
#include <vector>


namespace mail {


struct MimePart
/// A leaf of the MIME tree (multiparts are walked, not listed), numbered from 1 in
/// document order: what `GET messages/{id}/parts/{n}` serves.
{
	std::string contentType = "text/plain"; ///< type/subtype, lower-case
	std::string charset;                    ///< as labelled, empty when not
	std::string filename;                   ///< decoded (RFC 2047/2231 as Poco reads them), empty when none
	bool attachment = false;                ///< Content-Disposition: attachment, or a file name, or not text
	std::string transferEncoding;           ///< lower-case, e.g. base64
	std::string body;                       ///< as stored (still transfer-encoded)

	std::string decoded() const; ///< the bytes: transfer encoding undone, charset kept
};


struct MimeMessage
{
	std::vector<std::pair<std::string, std::string>> headers; ///< in order, unfolded, encoded words decoded to UTF-8
	std::vector<MimePart> parts;                              ///< leaves; a single-part message has one
	int textPart = 0;                                         ///< 1-based index of the text/plain body, 0: none
	int htmlPart = 0;                                         ///< likewise text/html

	std::string header(const std::string& name) const; ///< the first one of that name (any case), or ""
	std::string text() const;                          ///< the text part in UTF-8, "" when none
	std::string html() const;                          ///< the HTML part in UTF-8, "" when none
};


MimeMessage parseMimeMessage(const std::string& raw);
/// Never throws on bad input: a broken multipart keeps the parts read before the break,
/// and text that is no header block is a single text/plain part.


} // namespace mail
