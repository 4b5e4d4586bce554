// submission_cleanup.h - what a submission from a local sender gets fixed (Postfix cleanup(8)).
//
// A message submitted by one of our own users may lack Date: or Message-ID: (RFC 5322
// 3.6 requires the first and strongly asks for the second), and its Bcc: must not reach
// the recipients (RFC 5322 3.6.3). Mail from other providers is never touched this way:
// only the trace headers are added to it.
#pragma once

#include "server/message/line_sink.h"

#include <string>


namespace mail {


class SubmissionCleanup: public LineSink
/// A streaming filter in front of another sink: drops every Bcc: field (with its folded
/// lines) and adds Date: and Message-ID: where missing, at the end of the header (as
/// Postfix does). A line that is not a header field ends the header too; the added fields
/// and an empty line then go before it, so the result still has a well-formed header.
{
public:
	SubmissionCleanup(LineSink& next, std::string date, std::string messageId);
	/// date: an RFC 5322 date-time; messageId: "<...@...>", both used only if missing.

	void line(const std::string& text) override;
	void end() override;

private:
	void endHeader();

	LineSink& _next;
	std::string _date;
	std::string _messageId;
	bool _inHeader = true;
	bool _dropping = false; ///< inside a Bcc: field (its continuation lines go too)
	bool _sawDate = false;
	bool _sawMessageId = false;
};


bool isHeaderField(const std::string& line, std::string& name);
/// Whether line starts a header field ("name:" with printable, non-space name octets);
/// name receives the field name.


} // namespace mail
