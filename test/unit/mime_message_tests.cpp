// mime_message_tests.cpp - parseMimeMessage: the API's view of a stored message.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/http/mime_message.h"

#include <string>

using mail::MimeMessage;
using mail::parseMimeMessage;


BOOST_AUTO_TEST_SUITE(mime_message_tests)


BOOST_AUTO_TEST_CASE(single_part_quoted_printable_latin1_with_encoded_word_subject)
{
	const MimeMessage m = parseMimeMessage(
		"From: =?UTF-8?B?5byg5LiJ?= <z@example.com>\n"
		"Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= =?ISO-8859-1?Q?_aus?=\n"
		"  Z\xfcrich\n"
		"Content-Type: text/plain; charset=iso-8859-1\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"Gr=FC=DFe,=\n"
		" sch=F6n\n");
	BOOST_TEST(m.header("subject") == "Grüße aus Z\xfcrich"); // adjacent words joined; raw 8-bit kept
	BOOST_TEST(m.header("From") == "张三 <z@example.com>");
	BOOST_REQUIRE(m.parts.size() == 1u);
	BOOST_TEST(m.textPart == 1);
	BOOST_TEST(m.htmlPart == 0);
	BOOST_TEST(m.text() == "Grüße, schön\n");
	BOOST_TEST(!m.parts[0].attachment);
}


BOOST_AUTO_TEST_CASE(windows_1252_and_a_message_without_content_type)
{
	const MimeMessage cp = parseMimeMessage("Content-Type: text/plain; charset=windows-1252\n\n\x80 \x93q\x94\n");
	BOOST_TEST(cp.text() == "€ “q”\n");
	const MimeMessage plain = parseMimeMessage("Subject: hi\r\n\r\nline one\r\nline two\r\n");
	BOOST_TEST(plain.text() == "line one\nline two\n");
	BOOST_TEST(plain.parts.at(0).contentType == "text/plain");
}


BOOST_AUTO_TEST_CASE(nested_multipart_keeps_the_parts_after_the_inner_one)
{
	const MimeMessage m = parseMimeMessage(
		"Content-Type: multipart/mixed; boundary=outer\n"
		"\n"
		"--outer\n"
		"Content-Type: multipart/alternative; boundary=inner\n"
		"\n"
		"--inner\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"aGVsbG8=\n"
		"--inner\n"
		"Content-Type: text/html\n"
		"\n"
		"<p>hello</p>\n"
		"--inner--\n"
		"\n"
		"--outer\n"
		"Content-Type: application/pdf\n"
		"Content-Disposition: attachment; filename=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"JVBERi0=\n"
		"--outer\n"
		"Content-Type: text/plain; name=notes.txt\n"
		"\n"
		"notes\n"
		"--outer--\n");
	BOOST_REQUIRE(m.parts.size() == 4u);
	BOOST_TEST(m.textPart == 1);
	BOOST_TEST(m.htmlPart == 2);
	BOOST_TEST(m.text() == "hello");
	BOOST_TEST(m.html() == "<p>hello</p>");
	BOOST_TEST(m.parts[2].attachment);
	BOOST_TEST(m.parts[2].contentType == "application/pdf");
	BOOST_TEST(m.parts[2].filename == "résumé.pdf");
	BOOST_TEST(m.parts[2].decoded() == "%PDF-");
	BOOST_TEST(m.parts[3].attachment); // text, but named: a file, not the body
	BOOST_TEST(m.parts[3].filename == "notes.txt");
}


BOOST_AUTO_TEST_CASE(broken_input_never_throws)
{
	const MimeMessage cut = parseMimeMessage(
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst\n--b\nContent-Type: text/html\n\n<p>cut");
	BOOST_TEST(cut.textPart == 1);
	BOOST_TEST(cut.text().find("first") == 0);
	const MimeMessage noHeader = parseMimeMessage("just some text\nwithout a header\n");
	BOOST_TEST(noHeader.headers.empty());
	BOOST_TEST(noHeader.text() == "just some text\nwithout a header\n");
	const MimeMessage badType = parseMimeMessage("Content-Type: ;;;\n\nx\n");
	BOOST_TEST(badType.parts.size() == 1u);
	BOOST_TEST(parseMimeMessage("").parts.size() == 1u);
}


BOOST_AUTO_TEST_SUITE_END()
