// submission_cleanup_tests.cpp - Bcc removal and Date/Message-ID completion for local submissions.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/message/submission_cleanup.h"

#include <string>
#include <vector>


BOOST_AUTO_TEST_SUITE(submission_cleanup_tests)


namespace {


struct Collect: mail::LineSink
{
	std::string text;
	bool ended = false;
	void line(const std::string& l) override { text += l + "\n"; }
	void end() override { ended = true; }
};


std::string cleaned(const std::vector<std::string>& lines)
{
	Collect out;
	mail::SubmissionCleanup cleanup(out, "Mon, 30 Nov 2026 10:00:00 +0000", "<id@srv>");
	for (const auto& line: lines) cleanup.line(line);
	cleanup.end();
	BOOST_TEST(out.ended);
	return out.text;
}


} // namespace


BOOST_AUTO_TEST_CASE(table)
{
	struct Row
	{
		const char* name;
		std::vector<std::string> in;
		std::string out;
	};
	const std::vector<Row> rows = {
		{"adds both", {"Subject: a", "", "b"},
			"Subject: a\nDate: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <id@srv>\n\nb\n"},
		{"keeps what is there", {"date: x", "MESSAGE-ID: <m@x>", "", "b"}, "date: x\nMESSAGE-ID: <m@x>\n\nb\n"},
		{"drops Bcc and its folded lines", {"BCC: a@x,", " b@x", "\tc@x", "To: d@x", "Date: x", "Message-ID: <m>", ""},
			"To: d@x\nDate: x\nMessage-ID: <m>\n\n"},
		{"Bcc in the body stays", {"Date: x", "Message-ID: <m>", "", "Bcc: y"}, "Date: x\nMessage-ID: <m>\n\nBcc: y\n"},
		{"header only", {"Date: x"}, "Date: x\nMessage-ID: <id@srv>\n"},
		{"body without header", {"hello world", "x"},
			"Date: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <id@srv>\n\nhello world\nx\n"},
		{"Bcc-Like is another field", {"Bcc-Like: keep", "Date: x", "Message-ID: <m>"},
			"Bcc-Like: keep\nDate: x\nMessage-ID: <m>\n"},
	};
	for (const Row& row: rows)
	{
		const std::string got = cleaned(row.in);
		BOOST_CHECK_MESSAGE(got == row.out, row.name << ": got \"" << got << "\"");
	}
}


BOOST_AUTO_TEST_SUITE_END()
