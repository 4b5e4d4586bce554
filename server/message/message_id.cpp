// message_id.cpp - finding the Message-ID field in a header, streamed or stored.
#include "server/message/message_id.h"

#include <Poco/String.h>

#include <fstream>


namespace mail {


namespace {


constexpr std::size_t kHeadBytes = std::size_t{64} * 1024;


bool startsField(const std::string& line)
{
	return line.size() >= 11 && Poco::icompare(line.substr(0, 11), "message-id:") == 0;
}


struct Nowhere: LineSink
/// The end of a tap used only to find the Message-ID.
{
	void line(const std::string&) override {}
};


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
	Nowhere nowhere;
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
	// Reads only the header (a POP3 RETR event calls this for a file it has just sent:
	// the body need not be read again), at most kHeadBytes of it.
	Nowhere nowhere;
	MessageIdTap tap(nowhere);
	std::ifstream in(path, std::ios::binary);
	std::size_t read = 0;
	std::string line;
	while (read < kHeadBytes && std::getline(in, line))
	{
		read += line.size() + 1;
		if (!line.empty() && line.back() == '\r') line.pop_back();
		tap.line(line);
		if (line.empty()) break;
	}
	return tap.messageId();
}


} // namespace mail
