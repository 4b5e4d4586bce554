// trace_headers_tests.cpp - Received: header text.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/message/trace_headers.h"

#include <Poco/DateTime.h>


BOOST_AUTO_TEST_SUITE(trace_headers_tests)


BOOST_AUTO_TEST_CASE(format_with_and_without_for)
{
	mail::TraceInfo info{"client.example", "127.0.0.1", "srv.example", "ESMTP", "0badf00d",
		"<b@y.org>", Poco::DateTime(2026, 11, 22, 10, 0, 5).timestamp(), ""};
	BOOST_TEST(mail::traceHeaders(info) ==
		"Received: from client.example ([127.0.0.1])\r\n"
		"\tby srv.example (mail-server) with ESMTP id 0badf00d\r\n"
		"\tfor <b@y.org>; Sun, 22 Nov 2026 10:00:05 +0000\r\n");
	info.forRecipient.clear();
	BOOST_TEST(mail::traceHeaders(info).find("Received: ") == 0u);
	// RFC 5321 4.4: "; date" also without "for" (several recipients).
	BOOST_TEST(mail::traceHeaders(info) ==
		"Received: from client.example ([127.0.0.1])\r\n"
		"\tby srv.example (mail-server) with ESMTP id 0badf00d;\r\n"
		"\tSun, 22 Nov 2026 10:00:05 +0000\r\n");
}


BOOST_AUTO_TEST_CASE(tls_version_and_cipher_as_postfix_writes_them)
{
	const mail::TraceInfo info{"client.example", "127.0.0.1", "srv.example", "ESMTPS", "0badf00d", "<b@y.org>",
		Poco::DateTime(2026, 11, 22, 10, 0, 5).timestamp(), "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"};
	BOOST_TEST(mail::traceHeaders(info) ==
		"Received: from client.example ([127.0.0.1])\r\n"
		"\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n"
		"\tby srv.example (mail-server) with ESMTPS id 0badf00d\r\n"
		"\tfor <b@y.org>; Sun, 22 Nov 2026 10:00:05 +0000\r\n");
}


BOOST_AUTO_TEST_CASE(no_return_path_only_final_delivery_adds_one)
{
	const mail::TraceInfo info{"c", "127.0.0.1", "srv", "SMTP", "1", "<b@y.org>", Poco::Timestamp(), ""};
	BOOST_TEST(mail::traceHeaders(info).find("Return-Path") == std::string::npos);
}


BOOST_AUTO_TEST_CASE(client_text_cannot_add_header_lines)
{
	mail::TraceInfo info{"evil\r\nX-Injected: 1", "127.0.0.1", "srv", "SMTP", "1", "", Poco::Timestamp(), ""};
	const std::string text = mail::traceHeaders(info);
	BOOST_TEST(text.find("\r\nX-Injected") == std::string::npos);
	BOOST_TEST(text.find("from evil??X-Injected:?1 ") != std::string::npos);
}


BOOST_AUTO_TEST_SUITE_END()
