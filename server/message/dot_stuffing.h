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


class DataEncoder
/// The same rules for a message that arrives in pieces of any size (a file read through a
/// small buffer): LF or bare-LF line ends made CRLF as appendDotStuffedCrlf() does, a dot
/// added before each line starting with '.', wherever the pieces are cut (a line start or
/// a CR may end one piece), and finish() closing DATA.
{
public:
	explicit DataEncoder(bool everyLf):
		_everyLf(everyLf)
	{
	}

	void append(std::string& out, const char* data, std::size_t length);
	/// Appends the next piece, encoded.
	void finish(std::string& out);
	/// Appends CRLF if the last line had none, then ".\r\n" (RFC 5321 4.1.1.4).

private:
	bool _everyLf;
	bool _lineStart = true; ///< the next octet starts a line
	bool _lastCr = false;   ///< the last octet appended was a CR
};


} // namespace mail
