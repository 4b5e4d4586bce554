// smtp_chunk_reader.h - reads the BDAT chunks of one message (RFC 3030): octets counted, not dot-terminated.
#pragma once

#include "common/base/line_reader.h"
#include "server/message/line_sink.h"
#include "server/smtp/smtp_data_reader.h"

#include <cstddef>
#include <cstdint>
#include <string>


namespace mail {


class ChunkDecoder
/// Cuts the octets of a message's chunks into lines for a LineSink, as DATA's reader does
/// (a line ends at LF, a CR directly before it belongs to the line end, any other CR stays),
/// but with no dot-unstuffing: BDAT content is taken as it is. A line may span chunks (a
/// CR ending one chunk and the LF starting the next are one CRLF). Holds at most one line
/// of limits.maxLineLength octets. After a size or line-length violation nothing more goes
/// to the sink; the caller refuses the message.
{
public:
	ChunkDecoder(const DataLimits& limits, LineSink& sink);

	void feed(const char* data, std::size_t size);
	void finish();
	/// The end of the last chunk: an unterminated last line goes to the sink as a line.

	DataStatus verdict() const { return _verdict; }      ///< Ok, TooBig or LineTooLong
	std::uint64_t received() const { return _received; } ///< octets fed, all chunks

private:
	void endLine();

	DataLimits _limits;
	LineSink& _sink;
	std::string _line; ///< the line so far, its CR (if any) still at the end
	bool _overlong = false;
	std::uint64_t _size = 0; ///< octets given to the sink, counted as DATA counts them (CRLF ends)
	std::uint64_t _received = 0;
	DataStatus _verdict = DataStatus::Ok;
};


DataStatus readChunk(LineReader& reader, std::uint64_t octets, const Poco::Timespan& timeout, ChunkDecoder* decoder);
/// Reads exactly octets from reader through a small buffer and feeds them to decoder (to
/// nothing when it is null: a refused chunk is still consumed, keeping the session in
/// sync). Ok, Timeout (no octet within timeout) or Closed.


} // namespace mail
