// pop3_command.h - strict parsing of one POP3 command line (RFC 1939, RFC 2449); pure, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>


namespace mail {


enum class Pop3Verb
/// Every verb the server knows, including those it answers only with -ERR (APOP, AUTH, STLS).
{
	Unknown,
	User,
	Pass,
	Apop,
	Auth,
	Stls,
	Capa,
	Quit,
	Stat,
	List,
	Retr,
	Dele,
	Noop,
	Rset,
	Top,
	Uidl
};


const char* toString(Pop3Verb verb); ///< upper-case verb name ("RETR"), "UNKNOWN"


struct Pop3Command
/// One parsed command line. When `error` is not empty the line is unusable and the
/// session answers `-ERR <error>` without running anything.
{
	Pop3Verb verb = Pop3Verb::Unknown;
	std::string verbText;              ///< the verb as the client typed it (for logs and replies)
	std::string text;                  ///< USER name, PASS secret (the rest of the line), AUTH/APOP arguments
	std::uint64_t numbers[2] = {0, 0}; ///< numeric arguments, in order
	std::size_t numberCount = 0;       ///< how many of `numbers` were given
	std::string error;                 ///< syntax problem, empty when the line parsed

	bool ok() const { return error.empty(); }
};


Pop3Command parsePop3Command(const std::string& line);
/// Parses a command line without its CRLF. Verbs are case-insensitive; arguments are
/// separated by spaces. Numeric arguments accept decimal digits only (no sign, no
/// spaces inside, no hex) and must fit in 64 bits; counts are exact for each verb
/// (LIST/UIDL 0-1, RETR/DELE 1, TOP 2, STAT/NOOP/RSET/QUIT/CAPA/STLS 0, USER 1).
/// PASS takes the rest of the line as the secret, so passwords may contain spaces
/// (RFC 1939 section 7). Range checks against the mailbox are the session's job.

bool parseDecimal(const std::string& text, std::uint64_t& value);
/// Decimal digits only, 1 or more, no overflow. False (value untouched) otherwise.


} // namespace mail
