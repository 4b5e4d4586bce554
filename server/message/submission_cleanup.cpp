// submission_cleanup.cpp - what a submission from a local sender gets fixed (Postfix cleanup(8)).
#include "server/message/submission_cleanup.h"

#include <Poco/String.h>


namespace mail {


SubmissionCleanup::SubmissionCleanup(LineSink& next, std::string date, std::string messageId):
	_next(next),
	_date(std::move(date)),
	_messageId(std::move(messageId))
{
}


void SubmissionCleanup::line(const std::string& text)
{
	if (!_inHeader)
	{
		_next.line(text);
		return;
	}
	if (text.empty())
	{
		endHeader();
		_next.line(text);
		return;
	}
	if (text[0] == ' ' || text[0] == '\t')
	{
		if (!_dropping) _next.line(text);
		return;
	}
	std::string name;
	if (!isHeaderField(text, name))
	{
		// Body text without the empty line: the header ends here; keep them apart.
		endHeader();
		_next.line("");
		_next.line(text);
		return;
	}
	_dropping = Poco::icompare(name, "Bcc") == 0;
	if (_dropping) return;
	if (Poco::icompare(name, "Date") == 0) _sawDate = true;
	if (Poco::icompare(name, "Message-ID") == 0) _sawMessageId = true;
	_next.line(text);
}


void SubmissionCleanup::end()
{
	if (_inHeader) endHeader();
	_next.end();
}


void SubmissionCleanup::endHeader()
{
	_inHeader = false;
	_dropping = false;
	if (!_sawDate) _next.line("Date: " + _date);
	if (!_sawMessageId) _next.line("Message-ID: " + _messageId);
}


bool isHeaderField(const std::string& line, std::string& name)
{
	const std::size_t colon = line.find(':');
	if (colon == std::string::npos || colon == 0) return false;
	for (std::size_t i = 0; i < colon; ++i)
	{
		const unsigned char c = static_cast<unsigned char>(line[i]);
		if (c < 0x21 || c > 0x7e) return false; // RFC 5322 ftext
	}
	name = line.substr(0, colon);
	return true;
}


} // namespace mail
