// dsn_builder_tests.cpp - RFC 3464 report structure, header extraction, Received counting.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/dsn_builder.h"

using mail::DsnReport;
using mail::QueuedRecipient;
using mail::RecipientState;


namespace {


const std::string kOriginal =
	"Received: from a by b; Sun, 22 Nov 2026 01:00:00 +0000\r\n"
	"From: usr1@mail.sustech.edu.cn\r\n"
	"Subject: hello\r\n"
	"\r\n"
	"secret body\r\n"
	"Received: this line is body text, not a header\r\n";


DsnReport report()
{
	DsnReport r;
	r.reportingMta = "exmail.qq.com";
	r.queueId = "q123";
	r.sender = "usr1@mail.sustech.edu.cn";
	r.fromDomain = "mail.sustech.edu.cn";
	r.arrival = 1795310000;
	r.recipients.push_back(QueuedRecipient{"error@gmail.com", RecipientState::Failed, "5.1.1", "gmail-smtp-in.l.google.com",
		"550 5.1.1 <error@gmail.com>: Recipient address rejected: User unknown"});
	r.recipients.push_back(QueuedRecipient{"x@nowhere.invalid", RecipientState::Failed, "5.1.2", "",
		"Host or domain name not found"});
	return r;
}


bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}


} // namespace


BOOST_AUTO_TEST_SUITE(dsn_builder_tests)


BOOST_AUTO_TEST_CASE(report_has_the_rfc3464_parts_and_fields)
{
	const std::string dsn = mail::buildDsn(report(), kOriginal, 1795310005);
	const char* expected[] = {
		"From: Mail Delivery System <MAILER-DAEMON@mail.sustech.edu.cn>\r\n",
		"To: <usr1@mail.sustech.edu.cn>\r\n",
		"Auto-Submitted: auto-replied\r\n",
		"Content-Type: multipart/report; report-type=delivery-status;\r\n",
		"Content-Type: text/plain; charset=us-ascii\r\n",
		"Content-Type: message/delivery-status\r\n",
		"Reporting-MTA: dns; exmail.qq.com\r\n",
		"Arrival-Date: ",
		// NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one block of three lines, joined on purpose
		"Final-Recipient: rfc822; error@gmail.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
		"Remote-MTA: dns; gmail-smtp-in.l.google.com\r\n"
		"Diagnostic-Code: smtp; 550 5.1.1 <error@gmail.com>: Recipient address rejected: User unknown\r\n",
		"Final-Recipient: rfc822; x@nowhere.invalid\r\nAction: failed\r\nStatus: 5.1.2\r\n"
		"Diagnostic-Code: X-mail; Host or domain name not found\r\n",
		"Content-Type: text/rfc822-headers\r\n",
		"Subject: hello\r\n",
		"<error@gmail.com>: host gmail-smtp-in.l.google.com said: 550 5.1.1",
	};
	for (const char* part: expected)
	{
		BOOST_CHECK_MESSAGE(contains(dsn, part), "missing: " << part);
	}
	BOOST_TEST(!contains(dsn, "secret body"));
	BOOST_TEST(!contains(dsn, "this line is body text"));
}


BOOST_AUTO_TEST_CASE(report_uses_crlf_and_closes_its_boundary)
{
	const std::string dsn = mail::buildDsn(report(), kOriginal, 1795310005);
	for (std::size_t i = 0; i < dsn.size(); ++i)
	{
		if (dsn[i] == '\n') BOOST_REQUIRE_MESSAGE(i > 0 && dsn[i - 1] == '\r', "bare LF at " << i);
	}
	const std::size_t at = dsn.find("boundary=\"");
	BOOST_REQUIRE(at != std::string::npos);
	const std::string boundary = dsn.substr(at + 10, dsn.find('"', at + 10) - at - 10);
	BOOST_TEST(contains(dsn, "\r\n--" + boundary + "--\r\n"));
	std::size_t parts = 0;
	for (std::size_t pos = 0; (pos = dsn.find("\r\n--" + boundary + "\r\n", pos)) != std::string::npos; ++pos) ++parts;
	BOOST_TEST(parts == 3u);
}


BOOST_AUTO_TEST_SUITE_END()
