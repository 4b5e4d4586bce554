// smtp_command.h - pure parsing of SMTP command lines: verb, argument, MAIL/RCPT paths and ESMTP parameters.
#pragma once

#include "common/mail/mail_address.h"

#include <cstddef>
#include <cstdint>
#include <string>


namespace mail {


enum class SmtpVerb
{
	Helo,
	Ehlo,
	Mail,
	Rcpt,
	Data,
	Bdat, ///< RFC 3030 CHUNKING
	Rset,
	Noop,
	Quit,
	Vrfy,
	Expn,
	Help,
	Auth,
	Starttls, ///< rows reserved for the hardening issue; not offered yet
	Unknown
};

const char* toString(SmtpVerb verb);


struct SmtpCommand
{
	SmtpVerb verb = SmtpVerb::Unknown;
	std::string verbText; ///< as the client wrote it
	std::string argument; ///< everything after the verb and its separating spaces, trailing spaces removed
};

SmtpCommand parseCommand(const std::string& line);
/// Splits "VERB [argument]"; the verb is matched case-insensitively.


enum class BodyType
{
	SevenBit,
	EightBitMime
};


struct SmtpReply
/// A reply the session sends when a parse fails.
{
	int code = 0;
	std::string text; ///< enhanced status code and text, e.g. "5.5.4 Syntax: MAIL FROM:<address>"
};


struct MailArguments
/// Parsed `FROM:<path> [SIZE=n] [BODY=7BIT|8BITMIME]` or `TO:<path>`.
{
	bool ok = false;
	SmtpReply error; ///< when !ok
	MailAddress address;
	bool hasSize = false;
	std::size_t size = 0; ///< SIZE= value (declared size, RFC 1870)
	BodyType body = BodyType::SevenBit;
};

MailArguments parseMailArguments(const std::string& argument);
/// The argument of MAIL: "FROM:" (any case, spaces allowed after the colon), the
/// reverse-path (the null path allowed), then SP-separated parameters. Unknown or
/// repeated parameters and bad values give 555 5.5.4 / 501 replies.

MailArguments parseRcptArguments(const std::string& argument);
/// The argument of RCPT: "TO:" and a forward-path; no parameters are supported.


struct BdatArguments
/// Parsed `<chunk-size> [LAST]` of BDAT (RFC 3030 section 3).
{
	bool ok = false;
	std::uint64_t size = 0; ///< octets of the chunk that follow the command line
	bool last = false;      ///< LAST (any case): the chunk ends the message
};

BdatArguments parseBdatArguments(const std::string& argument);
/// 1-20 decimal digits (no sign, no overflow of 64 bits), optionally one or more spaces
/// and LAST; anything else is not ok (the session replies 501 and cannot know the chunk).


} // namespace mail
