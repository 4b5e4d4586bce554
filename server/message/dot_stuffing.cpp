// dot_stuffing.cpp - the transparency rule of SMTP DATA (RFC 5321 4.5.2) and POP3 (RFC 1939 3).
#include "server/message/dot_stuffing.h"

#include <cstring>


namespace mail {


void appendDotStuffed(std::string& out, const char* data, std::size_t length)
{
	out.reserve(out.size() + length + length / 64 + 8); // room for a few dots and the caller's ending
	const char* pos = data;
	const char* const end = data + length;
	if (length > 0 && *pos == '.') out += '.';
	while (pos < end)
	{
		const void* found = ::memmem(pos, static_cast<std::size_t>(end - pos), "\n.", 2);
		if (!found)
		{
			out.append(pos, static_cast<std::size_t>(end - pos));
			break;
		}
		const char* dot = static_cast<const char*>(found) + 1;
		out.append(pos, static_cast<std::size_t>(dot - pos));
		out += '.'; // the original dot follows with the next segment
		pos = dot;
	}
}


void appendDotStuffedCrlf(std::string& out, const char* data, std::size_t length, bool everyLf)
{
	out.reserve(out.size() + length + length / 32 + 8);
	const char* pos = data;
	const char* const end = data + length;
	while (pos < end)
	{
		if (*pos == '.') out += '.';
		const void* found = std::memchr(pos, '\n', static_cast<std::size_t>(end - pos));
		if (!found)
		{
			out.append(pos, static_cast<std::size_t>(end - pos));
			break;
		}
		const char* nl = static_cast<const char*>(found);
		const bool hasCr = nl > pos && nl[-1] == '\r';
		out.append(pos, static_cast<std::size_t>(nl - pos));
		if (everyLf || !hasCr) out += '\r';
		out += '\n';
		pos = nl + 1;
	}
}


void DataEncoder::append(std::string& out, const char* data, std::size_t length)
{
	out.reserve(out.size() + length + length / 32 + 8);
	const char* pos = data;
	const char* const end = data + length;
	while (pos < end)
	{
		if (_lineStart && *pos == '.') out += '.';
		_lineStart = false;
		const void* found = std::memchr(pos, '\n', static_cast<std::size_t>(end - pos));
		if (!found)
		{
			out.append(pos, static_cast<std::size_t>(end - pos));
			_lastCr = end[-1] == '\r';
			return;
		}
		const char* nl = static_cast<const char*>(found);
		const bool hasCr = nl > pos ? nl[-1] == '\r' : _lastCr; // the CR may have ended the last piece
		out.append(pos, static_cast<std::size_t>(nl - pos));
		if (_everyLf || !hasCr) out += '\r';
		out += '\n';
		_lineStart = true;
		_lastCr = false;
		pos = nl + 1;
	}
}


void DataEncoder::finish(std::string& out)
{
	if (!_lineStart) out += !_everyLf && _lastCr ? "\n" : "\r\n";
	out += ".\r\n";
	_lineStart = true;
	_lastCr = false;
}


} // namespace mail
