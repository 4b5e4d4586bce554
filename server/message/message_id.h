// message_id.h - the Message-ID of a message, for the journal's linking ids.
//
// Events link a message across providers by its Message-ID header, so the server
// learns it while the message streams through (MessageIdTap, no second read) or from
// the head of a stored file (POP3).
#pragma once

#include "server/message/line_sink.h"

#include <string>


namespace mail {


std::string messageIdIn(const std::string& text);
/// The Message-ID field of the header at the start of text (CRLF or LF lines, folded
/// lines joined, surrounding space trimmed), or "" when the header has none.

std::string messageIdOfFile(const std::string& path);
/// The same from a file, reading its header only (at most 64 KB); "" when it cannot be read.


class MessageIdTap: public LineSink
/// Passes every line on to next and keeps the Message-ID of the header as it passes.
{
public:
	explicit MessageIdTap(LineSink& next);

	void line(const std::string& text) override;
	void end() override { _next.end(); }

	const std::string& messageId() const { return _messageId; }

private:
	LineSink& _next;
	std::string _messageId;
	bool _inHeader = true;
	bool _inField = false; ///< the last field was Message-ID: continuation lines belong to it
};


} // namespace mail
