// line_sink.h - where the lines of a message go as they arrive, one at a time.
//
// DATA is streamed: the reader hands each unstuffed line to a sink (a filter such as
// SubmissionCleanup, or the spool file), so a session never holds the whole message.
#pragma once

#include <string>


namespace mail {


class LineSink
/// Receives the lines of one message in order, each without its line end.
{
public:
	virtual ~LineSink() = default;

	virtual void line(const std::string& text) = 0;
	/// One line of content (no CR LF). Throws on a write failure.

	virtual void end() {}
	/// After the last line (a filter flushes what it held back).
};


} // namespace mail
