// message_headers.cpp - header section helpers for raw CRLF messages.
#include "server/message/message_headers.h"

#include <Poco/String.h>

#include <algorithm>


namespace mail {


namespace {


const char* const kCrlf = "\r\n";


bool isField(const std::string& text, std::size_t pos, std::size_t length, const std::string& name)
/// Whether the line text[pos, pos + length) starts the header field `name:`.
{
	return length > name.size() && text[pos + name.size()] == ':'
		&& Poco::icompare(text.substr(pos, name.size()), name) == 0;
}


} // namespace


std::string headerSection(const std::string& message)
{
	if (message.empty() || message.compare(0, 2, kCrlf) == 0) return {};
	const std::size_t end = message.find("\r\n\r\n");
	if (end != std::string::npos) return message.substr(0, end + 2);
	const bool endsWithCrlf = message.size() >= 2 && message.compare(message.size() - 2, 2, kCrlf) == 0;
	return endsWithCrlf ? message : message + kCrlf;
}


std::size_t countHeader(const std::string& message, const std::string& name)
{
	const std::string header = headerSection(message);
	std::size_t count = 0, pos = 0;
	while (pos < header.size())
	{
		const std::size_t eol = header.find("\r\n", pos);
		const std::size_t len = (eol == std::string::npos ? header.size() : eol) - pos;
		if (isField(header, pos, len, name)) ++count;
		if (eol == std::string::npos) break;
		pos = eol + 2;
	}
	return count;
}


std::string removeHeader(const std::string& message, const std::string& name)
{
	const std::size_t headerEnd = std::min(headerSection(message).size(), message.size());
	std::string out;
	out.reserve(message.size());
	bool dropping = false;
	std::size_t pos = 0;
	while (pos < headerEnd)
	{
		std::size_t eol = message.find(kCrlf, pos);
		eol = eol == std::string::npos ? message.size() : eol + 2;
		const bool continuation = message[pos] == ' ' || message[pos] == '\t';
		if (!continuation) dropping = isField(message, pos, eol - pos, name);
		if (!dropping) out.append(message, pos, eol - pos);
		pos = eol;
	}
	out.append(message, pos, std::string::npos);
	return out;
}


} // namespace mail
