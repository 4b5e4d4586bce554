// line_ends.h - converting a message (or a bounded part of it) between LF and CRLF line ends.
#pragma once

#include <cstddef>
#include <string>


namespace mail {


std::string lfToCrlf(const std::string& text);
/// Each LF preceded by a CR (a CR already there is content: LF-stored files).

void appendCrlf(std::string& out, const char* data, std::size_t length, bool everyLf);
/// Appends data with LF line ends sent as CRLF (everyLf: each LF, a CR before it is
/// content: LF-stored Maildir files; else only a bare LF), as IMAP and POP3 send a file.

std::string crlfToLf(const std::string& text);
/// The inverse: one CR before each LF goes; any other CR stays.


} // namespace mail
