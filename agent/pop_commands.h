// pop_commands.h - the agent's `[pop]>>>` commands and what each prints.
//
//   stat        "N messages (M bytes)"
//   list [N]    "N SIZE" lines
//   retr N      headers, an empty line, the body decoded to UTF-8 (mime_text.h)
//   top N L     the same for the headers and the first L body lines
//   uidl [N]    "N UID" lines
//   dele N, rset, noop, quit   the server's answer
// A server error prints the server's line and the session goes on.
#pragma once

#include "agent/pop3_client.h"

#include <ostream>
#include <string>
#include <vector>


namespace mail {


enum class PopOutcome
{
	Ok,     ///< +OK
	Failed, ///< -ERR or a bad command (printed)
	Quit    ///< QUIT was sent; the session is over
};


PopOutcome runPopCommand(Pop3Client& client, const std::vector<std::string>& words, std::ostream& out);
/// words: the command and its arguments as typed (case-insensitive command).
/// Throws Pop3Error when the connection breaks.

std::vector<std::string> splitWords(const std::string& line);
///< On spaces and tabs.


} // namespace mail
