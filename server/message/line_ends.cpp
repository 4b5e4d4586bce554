// line_ends.cpp - LF <-> CRLF for messages held in memory (bounded parts, bounces, tests).
#include "server/message/line_ends.h"


namespace mail {


std::string lfToCrlf(const std::string& text)
{
	std::string out;
	out.reserve(text.size() + text.size() / 32 + 2);
	for (const char c: text)
	{
		if (c == '\n') out += '\r';
		out += c;
	}
	return out;
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
