// smtp_data_reader.h - reads the DATA content of one message: dot-unstuffing, CRLF normalisation, limits.
#pragma once

#include "common/base/line_reader.h"
#include "server/message/line_sink.h"

#include <Poco/Timespan.h>

#include <cstddef>
#include <string>


namespace mail {


enum class DataStatus
{
	Ok,          ///< the message ended with CRLF.CRLF and is within every limit
	TooBig,      ///< read to the end; more than maxMessageSize octets (552 5.3.4)
	LineTooLong, ///< read to the end; a line longer than maxLineLength (500 5.5.2)
	Timeout,     ///< no complete line within the timeout (421 4.4.2, close)
	Closed       ///< the client went away before the end
};

const char* toString(DataStatus status);


struct DataLimits
{
	std::size_t maxMessageSize; ///< octets of content with CRLF line endings (the wire size)
	std::size_t maxLineLength;  ///< octets of one text line including its CRLF (RFC 5321: 1000)
	Poco::Timespan timeout;     ///< for each line
};


DataStatus readData(LineReader& reader, const DataLimits& limits, LineSink& sink);
/// Reads lines up to the end-of-data line "." and hands each content line to sink as it
/// arrives (sink.end() is not called: the caller decides what Ok means for it).
/// The end is only CRLF "." CRLF: a "." line ending in a bare LF, or following a line
/// that ended in a bare LF, is content (kept as "."), so no SMTP smuggling. Every other
/// line starting with "." loses that dot (RFC 5321 4.5.2). A line ending in a bare LF is a
/// line like any other. After a size or line-length violation nothing more goes to the
/// sink (the caller discards what it got) but reading goes on to the end, keeping the
/// session in sync.

DataStatus readData(LineReader& reader, const DataLimits& limits, std::string& message);
/// The same, appending each line and CRLF to message (tests, small messages).


} // namespace mail
