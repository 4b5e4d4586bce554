// message_headers_tests.cpp - header section, header counting and removal on raw CRLF messages.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/message/message_headers.h"


namespace {


const std::string kOriginal =
	"Received: from a by b; Sun, 22 Nov 2026 01:00:00 +0000\r\n"
	"received: from c by d; Sun, 22 Nov 2026 01:00:01 +0000\r\n"
	"From: usr1@mail.sustech.edu.cn\r\n"
	"To: error@gmail.com\r\n"
	"Subject: hello\r\n"
	"\r\n"
	"Received: this line is body text, not a header\r\n"
	"secret body\r\n";


} // namespace


BOOST_AUTO_TEST_SUITE(message_headers_tests)


BOOST_AUTO_TEST_CASE(header_section_stops_at_the_empty_line)
{
	const struct
	{
		std::string message, header;
	} rows[] = {
		{kOriginal, kOriginal.substr(0, kOriginal.find("\r\n\r\n") + 2)},
		{"A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"}, // no body
		{"A: 1", "A: 1\r\n"},                     // no final CRLF
		{"\r\nbody only\r\n", ""},
		{"", ""},
	};
	for (const auto& row: rows)
	{
		BOOST_CHECK_MESSAGE(mail::headerSection(row.message) == row.header, "message: " << row.message);
	}
}


BOOST_AUTO_TEST_CASE(count_header_counts_only_header_fields)
{
	BOOST_TEST(mail::countHeader(kOriginal, "Received") == 2u);
	BOOST_TEST(mail::countHeader(kOriginal, "Subject") == 1u);
	BOOST_TEST(mail::countHeader(kOriginal, "Receive") == 0u);
	BOOST_TEST(mail::countHeader("X-Received: a\r\n\r\n", "Received") == 0u);
}


BOOST_AUTO_TEST_CASE(remove_header_drops_every_field_of_that_name_with_its_folds)
{
	const struct
	{
		std::string message, name, result;
	} rows[] = {
		{"Return-Path: <a@b>\r\nSubject: x\r\n\r\nReturn-Path: body\r\n", "Return-Path",
			"Subject: x\r\n\r\nReturn-Path: body\r\n"},
		{"X: 1\r\nreturn-path: <a@b>\r\n\tfolded\r\nY: 2\r\n\r\nb\r\n", "Return-Path", "X: 1\r\nY: 2\r\n\r\nb\r\n"},
		{"Return-Path-Not: 1\r\n\r\n", "Return-Path", "Return-Path-Not: 1\r\n\r\n"},
		{"Return-Path: <a@b>", "Return-Path", ""},
		{"Subject: no final crlf", "Return-Path", "Subject: no final crlf"},
		{"\r\nReturn-Path: only body\r\n", "Return-Path", "\r\nReturn-Path: only body\r\n"},
		{"", "Return-Path", ""},
	};
	for (const auto& row: rows)
	{
		BOOST_CHECK_MESSAGE(mail::removeHeader(row.message, row.name) == row.result, "message: " << row.message);
	}
}


BOOST_AUTO_TEST_SUITE_END()
