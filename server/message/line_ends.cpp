// line_ends.cpp - LF <-> CRLF for messages held in memory (bounded parts, bounces, tests).
#include "server/message/line_ends.h"

#include <cstring>


namespace mail {


std::string lfToCrlf(const std::string& text)
{
	std::string out;
	appendCrlf(out, text.data(), text.size(), true);
	return out;
}


void appendCrlf(std::string& out, const char* data, std::size_t length, bool everyLf)
{
	out.reserve(out.size() + length + length / 32);
	std::size_t pos = 0;
	while (pos < length)
	{
		const void* found = std::memchr(data + pos, '\n', length - pos);
		if (!found)
		{
			out.append(data + pos, length - pos);
			return;
		}
		const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(found) - data);
		const bool hasCr = lf > 0 && data[lf - 1] == '\r';
		out.append(data + pos, lf - pos);
		if (everyLf || !hasCr) out += "\r\n";
		else out += '\n';
		pos = lf + 1;
	}
}


std::string crlfToLf(const std::string& text)
{
	std::string out;
	out.reserve(text.size());
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
		out += text[i];
	}
	return out;
}


} // namespace mail
