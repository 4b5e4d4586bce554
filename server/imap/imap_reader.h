// imap_reader.h - reading one IMAP command with its literals (RFC 9051 4.3, RFC 7888), bounded.
#pragma once

#include "server/net/session_io.h"

#include <cstddef>
#include <string>


namespace mail {


enum class ImapRead
{
	Ok,              ///< command holds the whole command (literals inline, with their {N}CRLF)
	TooLong,         ///< a line over the limit (read up to its end and dropped): BAD
	LiteralTooLarge, ///< a synchronizing literal over the budget: BAD, nothing of it was read
	LiteralDesync,   ///< a non-synchronizing literal over the budget: the stream is lost, BYE
	Timeout,
	Closed
};


ImapRead readImapCommand(SessionIo& io, std::string& command, std::size_t maxLine, std::size_t maxLiterals,
	const Poco::Timespan& deadline);
/// Reads a command line; while it ends in {N} or {N+}, answers "+ go ahead" for a
/// synchronizing one and reads N octets and the line that follows. maxLine bounds each
/// line, maxLiterals all the literals of the command together.

bool literalAtEnd(const std::string& line, std::size_t& size, bool& synchronizing);
/// Whether line ends in "{N}" or "{N+}".


} // namespace mail
