// dot_stuffing.h - the transparency rule of SMTP DATA (RFC 5321 4.5.2) and POP3 (RFC 1939 3).
#pragma once

#include <cstddef>
#include <string>


namespace mail {


void appendDotStuffed(std::string& out, const char* data, std::size_t length);
/// Appends data with a '.' added before every line that starts with '.' (the first line
/// and each line after a '\n'). Nothing else: callers add their own line end and ".\r\n".
/// Scans with memmem for "\n.", so a multi-megabyte message costs about one copy.

void appendDotStuffedCrlf(std::string& out, const char* data, std::size_t length, bool everyLf);
/// The same, also sending line ends as CRLF: everyLf: each LF becomes CRLF (a CR before
/// it is content: LF-stored Maildir files); else only a bare LF does. Data already in
/// CRLF form with everyLf false gives what appendDotStuffed() gives.


} // namespace mail
