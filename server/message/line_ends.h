// line_ends.h - converting a message (or a bounded part of it) between LF and CRLF line ends.
#pragma once

#include <string>


namespace mail {


std::string lfToCrlf(const std::string& text);
/// Each LF preceded by a CR (a CR already there is content: LF-stored files).

std::string crlfToLf(const std::string& text);
/// The inverse: one CR before each LF goes; any other CR stays.


} // namespace mail
