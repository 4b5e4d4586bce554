// smtp_command_tests.cpp - SMTP command line parsing, table-driven.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/smtp/smtp_command.h"

#include <string>
#include <vector>

using mail::BodyType;
using mail::SmtpVerb;


BOOST_AUTO_TEST_SUITE(smtp_command_tests)


BOOST_AUTO_TEST_CASE(verbs)
{
	struct Row
	{
		std::string line;
		SmtpVerb verb;
		std::string argument;
	};
	const std::vector<Row> rows = {
		{"HELO client.example", SmtpVerb::Helo, "client.example"},
		{"ehlo client.example", SmtpVerb::Ehlo, "client.example"},
		{"EhLo   spaced  ", SmtpVerb::Ehlo, "spaced"},
		{"MAIL FROM:<a@b.c>", SmtpVerb::Mail, "FROM:<a@b.c>"},
		{"mail FROM:<a@b.c> size=10", SmtpVerb::Mail, "FROM:<a@b.c> size=10"},
		{"RCPT TO:<a@b.c>", SmtpVerb::Rcpt, "TO:<a@b.c>"},
		{"DATA", SmtpVerb::Data, ""},
		{"data", SmtpVerb::Data, ""},
		{"RSET", SmtpVerb::Rset, ""},
		{"NOOP anything", SmtpVerb::Noop, "anything"},
		{"QUIT", SmtpVerb::Quit, ""},
		{"VRFY usr", SmtpVerb::Vrfy, "usr"},
		{"EXPN list", SmtpVerb::Expn, "list"},
		{"HELP", SmtpVerb::Help, ""},
		{"AUTH PLAIN", SmtpVerb::Auth, "PLAIN"},
		{"STARTTLS", SmtpVerb::Starttls, ""},
		{"BDAT 10", SmtpVerb::Bdat, "10"},
		{"bdat 0 LAST", SmtpVerb::Bdat, "0 LAST"},
		{"", SmtpVerb::Unknown, ""},
		{"QUITX", SmtpVerb::Unknown, ""},
		{"GET / HTTP/1.0", SmtpVerb::Unknown, "/ HTTP/1.0"},
	};
	for (const auto& row: rows)
	{
		const auto c = mail::parseCommand(row.line);
		BOOST_CHECK_MESSAGE(c.verb == row.verb, "'" << row.line << "' -> " << mail::toString(c.verb));
		BOOST_CHECK_MESSAGE(c.argument == row.argument, "'" << row.line << "' argument '" << c.argument << "'");
	}
}


BOOST_AUTO_TEST_CASE(mail_arguments)
{
	struct Row
	{
		std::string argument;
		int code;
		std::string address;
		bool hasSize;
		std::size_t size;
		BodyType body;
	};
	const std::vector<Row> rows = {
		{"FROM:<a@b.c>", 0, "a@b.c", false, 0, BodyType::SevenBit},
		{"from:<a@b.c>", 0, "a@b.c", false, 0, BodyType::SevenBit},
		{"FROM: <a@b.c>", 0, "a@b.c", false, 0, BodyType::SevenBit},
		{"FROM:a@b.c", 0, "a@b.c", false, 0, BodyType::SevenBit},
		{"FROM:<>", 0, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> size=1234", 0, "a@b.c", true, 1234, BodyType::SevenBit},
		{"FROM:<a@b.c> SIZE=0 BODY=8BITMIME", 0, "a@b.c", true, 0, BodyType::EightBitMime},
		{"FROM:<a@b.c> body=7bit", 0, "a@b.c", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c>  SIZE=5  ", 0, "a@b.c", true, 5, BodyType::SevenBit},
		{"FROM:<@x.org:a@b.c>", 0, "a@b.c", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> SIZE=", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> SIZE=12abc", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> SIZE=-1", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> SIZE=99999999999999999999999", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> SIZE=1 SIZE=2", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> BODY=BINARYMIME", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> SMTPUTF8", 555, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c> RET=HDRS", 555, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@b.c>x", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:", 501, "", false, 0, BodyType::SevenBit},
		{"FROM", 501, "", false, 0, BodyType::SevenBit},
		{"", 501, "", false, 0, BodyType::SevenBit},
		{"TO:<a@b.c>", 501, "", false, 0, BodyType::SevenBit},
		{"FROM:<a@@b.c>", 501, "", false, 0, BodyType::SevenBit},
	};
	for (const auto& row: rows)
	{
		const auto r = mail::parseMailArguments(row.argument);
		const int code = r.ok ? 0 : r.error.code;
		BOOST_CHECK_MESSAGE(code == row.code, "'" << row.argument << "' -> " << code << " " << r.error.text);
		if (r.ok && code == row.code)
		{
			BOOST_CHECK_MESSAGE(r.address.address() == row.address, "'" << row.argument << "' address " << r.address.address());
			BOOST_CHECK_MESSAGE(r.hasSize == row.hasSize && r.size == row.size, "'" << row.argument << "' size");
			BOOST_CHECK_MESSAGE(r.body == row.body, "'" << row.argument << "' body");
		}
		if (!r.ok) BOOST_CHECK_MESSAGE(r.error.text.size() > 6 && r.error.text[1] == '.', "'" << row.argument << "' enhanced code: " << r.error.text);
	}
}


BOOST_AUTO_TEST_CASE(rcpt_arguments)
{
	struct Row
	{
		std::string argument;
		int code;
		std::string address;
	};
	const std::vector<Row> rows = {
		{"TO:<usr@gmail.com>", 0, "usr@gmail.com"},
		{"to:<usr@gmail.com>", 0, "usr@gmail.com"},
		{"TO: <usr@gmail.com>", 0, "usr@gmail.com"},
		{"TO:usr@gmail.com", 0, "usr@gmail.com"},
		{"TO:<\"odd user\"@gmail.com>", 0, "\"odd user\"@gmail.com"},
		{"TO:<>", 501, ""},
		{"TO:<usr@gmail.com> NOTIFY=NEVER", 555, ""},
		{"TO:", 501, ""},
		{"FROM:<usr@gmail.com>", 501, ""},
		{"TO:<usr>", 501, ""},
	};
	for (const auto& row: rows)
	{
		const auto r = mail::parseRcptArguments(row.argument);
		const int code = r.ok ? 0 : r.error.code;
		BOOST_CHECK_MESSAGE(code == row.code, "'" << row.argument << "' -> " << code << " " << r.error.text);
		if (r.ok) BOOST_CHECK_MESSAGE(r.address.address() == row.address, "'" << row.argument << "' address " << r.address.address());
	}
}


BOOST_AUTO_TEST_CASE(bdat_arguments)
{
	struct Row
	{
		const char* argument;
		bool ok;
		std::uint64_t size;
		bool last;
	};
	const std::vector<Row> rows = {
		{"0", true, 0, false},
		{"1024", true, 1024, false},
		{"0 LAST", true, 0, true},
		{"17 last", true, 17, true},
		{"17  LaSt", true, 17, true},
		{"18446744073709551615", true, 18446744073709551615ull, false},
		{"18446744073709551616", false, 0, false}, // over 64 bits
		{"", false, 0, false},
		{"-1", false, 0, false},
		{"+1", false, 0, false},
		{"12x", false, 0, false},
		{"12 LASTX", false, 0, false},
		{"12 FIRST", false, 0, false},
		{"12 LAST more", false, 0, false},
		{"LAST", false, 0, false},
	};
	for (const auto& row: rows)
	{
		const auto r = mail::parseBdatArguments(row.argument);
		BOOST_CHECK_MESSAGE(r.ok == row.ok, "'" << row.argument << "' ok " << r.ok);
		if (r.ok && row.ok)
			BOOST_CHECK_MESSAGE(r.size == row.size && r.last == row.last, "'" << row.argument << "' -> " << r.size << " " << r.last);
	}
}


BOOST_AUTO_TEST_SUITE_END()
