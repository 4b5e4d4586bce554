// dot_stuffing_tests.cpp - the one dot-stuffing helper that SMTP relay and POP3 RETR/TOP share.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/message/dot_stuffing.h"

#include <string>


BOOST_AUTO_TEST_SUITE(dot_stuffing_tests)


BOOST_AUTO_TEST_CASE(doubles_leading_dots_and_adds_nothing_else)
{
	const struct
	{
		const char* what;
		std::string in;
		std::string want;
	} rows[] = {
		{"empty", "", ""},
		{"plain", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"first line", ".a\r\n", "..a\r\n"},
		{"lone dot line", "a\r\n.\r\nb", "a\r\n..\r\nb"},
		{"two dots", "a\r\n..x", "a\r\n...x"},
		{"dot inside a line", "x.y\r\n", "x.y\r\n"},
		{"bare LF line end", "a\n.b\n", "a\n..b\n"},
		{"after CR only", "a\r.b", "a\r.b"},
		{"trailing dot", "a\r\n.", "a\r\n.."},
		{"consecutive", ".\n.\n.", "..\n..\n.."},
	};
	for (const auto& row: rows)
	{
		std::string got = "prefix|";
		mail::appendDotStuffed(got, row.in.data(), row.in.size());
		BOOST_CHECK_MESSAGE(got == "prefix|" + row.want, row.what << ": got \"" << got << "\"");
	}
}


BOOST_AUTO_TEST_SUITE_END()
