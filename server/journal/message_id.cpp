// message_id.cpp - finding the Message-ID field in a header, streamed or stored.
#include "server/journal/message_id.h"

#include <Poco/String.h>

#include <fstream>


namespace mail {


namespace {


constexpr std::size_t kHeadBytes = 64 * 1024;


bool startsField(const std::string& line)
{
	return line.size() >= 11 && Poco::icompare(line.substr(0, 11), "message-id:") == 0;
}


} // namespace


MessageIdTap::MessageIdTap(LineSink& next):
	_next(next)
{
}


void MessageIdTap::line(const std::string& text)
{
	if (_inHeader)
	{
		if (text.empty()) _inHeader = false;
		else if (text[0] == ' ' || text[0] == '\t')
		{
			if (_inField) _messageId = Poco::trim(_messageId + " " + Poco::trim(text));
		}
		else
		{
			_inField = _messageId.empty() && startsField(text);
			if (_inField) _messageId = Poco::trim(text.substr(11));
		}
	}
	_next.line(text);
}


std::string messageIdIn(const std::string& text)
{
	struct Nowhere: LineSink
	{
		void line(const std::string&) override {}
	} nowhere;
	MessageIdTap tap(nowhere);
	std::size_t pos = 0;
	while (pos < text.size())
	{
		std::size_t end = text.find('\n', pos);
		if (end == std::string::npos) end = text.size();
		std::string line = text.substr(pos, end - pos);
		if (!line.empty() && line.back() == '\r') line.pop_back();
		tap.line(line);
		if (line.empty()) break;
		pos = end + 1;
	}
	return tap.messageId();
}


std::string messageIdOfFile(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	std::string head(kHeadBytes, '\0');
	in.read(&head[0], static_cast<std::streamsize>(head.size()));
	head.resize(static_cast<std::size_t>(in.gcount()));
	return messageIdIn(head);
}


} // namespace mail
