// smtp_chunk_reader.cpp - reads the BDAT chunks of one message (RFC 3030): octets counted, not dot-terminated.
#include "server/smtp/smtp_chunk_reader.h"

#include <algorithm>
#include <array>
#include <cstring>


namespace mail {


ChunkDecoder::ChunkDecoder(const DataLimits& limits, LineSink& sink):
	_limits(limits),
	_sink(sink)
{
}


void ChunkDecoder::feed(const char* data, std::size_t size)
{
	_received += size;
	// One octet more than a line's content may be its CR (LineReader keeps the same).
	const std::size_t keep = (_limits.maxLineLength > 2 ? _limits.maxLineLength - 2 : 1) + 1;
	while (size > 0)
	{
		const char* lf = static_cast<const char*>(std::memchr(data, '\n', size));
		const std::size_t take = lf ? static_cast<std::size_t>(lf - data) : size;
		if (!_overlong && _line.size() + take <= keep) _line.append(data, take);
		else
		{
			if (!_overlong) _line.append(data, keep - _line.size());
			_overlong = true;
			if (take > 0) _line.back() = data[take - 1]; // only whether it ends in CR still matters
		}
		if (!lf) return;
		endLine();
		data += take + 1;
		size -= take + 1;
	}
}


void ChunkDecoder::finish()
{
	if (!_line.empty() || _overlong) endLine();
}


void ChunkDecoder::endLine()
{
	const bool crlf = !_line.empty() && _line.back() == '\r';
	if (crlf) _line.pop_back();
	const std::size_t maxContent = _limits.maxLineLength > 2 ? _limits.maxLineLength - 2 : 1;
	if (_verdict == DataStatus::Ok && (_overlong || _line.size() > maxContent)) _verdict = DataStatus::LineTooLong;
	if (_verdict == DataStatus::Ok && _size + _line.size() + 2 > _limits.maxMessageSize) _verdict = DataStatus::TooBig;
	if (_verdict == DataStatus::Ok)
	{
		_size += _line.size() + 2;
		_sink.line(_line);
	}
	_line.clear();
	_overlong = false;
}


DataStatus readChunk(LineReader& reader, std::uint64_t octets, const Poco::Timespan& timeout, ChunkDecoder* decoder)
{
	std::array<char, 16384> buffer;
	while (octets > 0)
	{
		std::size_t got = 0;
		switch (reader.readSome(buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(octets, buffer.size())), got, timeout))
		{
		case ReadStatus::Ok:
		case ReadStatus::TooLong: break;
		case ReadStatus::Timeout: return DataStatus::Timeout;
		case ReadStatus::Closed: return DataStatus::Closed;
		}
		if (decoder) decoder->feed(buffer.data(), got);
		octets -= got;
	}
	return DataStatus::Ok;
}


} // namespace mail
