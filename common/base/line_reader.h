// line_reader.h - bounded, buffered line reading from a socket, with a deadline per line.
//
// One recv() fills a large buffer, so a pipelined batch of commands costs one system
// call. A line longer than the limit is never buffered whole: the rest is discarded up to
// its LF, so one client cannot make the server hold an unbounded line. The deadline covers
// the whole line, so a client trickling one byte at a time cannot hold a thread forever.
#pragma once

#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <cstddef>
#include <string>
#include <vector>


namespace mail {


enum class ReadStatus
{
	Ok,      ///< a complete line (without its terminator)
	TooLong, ///< the line exceeded the limit; its first maxLength octets are returned, the rest discarded
	Timeout, ///< the deadline passed before the line was complete
	Closed   ///< the peer closed or reset the connection (a partial last line is dropped)
};

const char* toString(ReadStatus status);


class LineReader
{
public:
	explicit LineReader(Poco::Net::StreamSocket& socket, std::size_t bufferSize = 16384);

	ReadStatus readLine(std::string& line, std::size_t maxLength, const Poco::Timespan& timeout);
	/// Reads up to LF. maxLength counts the line's content without CR LF. The line is
	/// returned without its terminator; a CR directly before the LF is part of the
	/// terminator (see endedWithCRLF()), any other CR stays in the line.

	ReadStatus readSome(char* data, std::size_t maxLength, std::size_t& got, const Poco::Timespan& timeout);
	/// Raw octets, no line structure (a BDAT chunk): what is buffered, up to maxLength,
	/// else one receive's worth. got > 0 when Ok; TooLong is never returned.

	bool endedWithCRLF() const { return _crlf; }
	/// Whether the last line returned ended with CR LF (false: a bare LF).

	std::size_t buffered() const { return _end - _start; }
	/// Octets received but not yet consumed (a pipelining client sent more).

	void discardBuffered() { _start = _end = 0; }
	/// Drops what is buffered (e.g. unexpected data after a STARTTLS-like switch).

	void switchTo(Poco::Net::StreamSocket& socket);
	/// Reads from socket from now on (the same connection after a TLS handshake) and
	/// drops what was buffered: RFC 3207 section 4, octets pipelined before the handshake
	/// are never commands (CVE-2011-0411).

private:
	bool fill(const Poco::Timespan& remaining, ReadStatus& failure);

	Poco::Net::StreamSocket* _socket;
	std::vector<char> _buffer;
	std::size_t _start = 0;
	std::size_t _end = 0;
	bool _crlf = false;
};


} // namespace mail
