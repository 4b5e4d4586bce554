// mime_text_tests.cpp - decoding received messages for display.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/mail/mime_text.h"

#include <fstream>
#include <sstream>


using namespace mail;


BOOST_AUTO_TEST_SUITE(mime_text_tests)


BOOST_AUTO_TEST_CASE(base64_and_quoted_printable_decode)
{
	struct Row
	{
		const char* name;
		std::string encoded;
		bool base64;
		std::string expected;
	};
	const Row rows[] = {
		{"b64 utf-8", "5L2g5aW9LCDkuJbnlYwh", true, "你好, 世界!"},
		{"b64 wrapped lines", "SGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", true, "Hello world"},
		{"b64 invalid tail keeps the start", "SGVsbG8=!!!!", true, "Hello"},
		{"qp escapes", "caf=C3=A9 =3D ok", false, "café = ok"},
		{"qp lowercase hex", "caf=c3=a9", false, "café"},
		{"qp soft break crlf", "long=\r\nline", false, "longline"},
		{"qp soft break lf", "long=\nline", false, "longline"},
		{"qp plain", "nothing to do\r\n", false, "nothing to do\r\n"},
	};
	for (const auto& row: rows)
	{
		std::string got = row.base64 ? decodeBase64(row.encoded) : decodeQuotedPrintable(row.encoded);
		BOOST_CHECK_MESSAGE(got == row.expected, row.name << ": got '" << got << "'");
	}
}


BOOST_AUTO_TEST_CASE(header_words_decode_to_utf8)
{
	struct Row
	{
		std::string raw;
		std::string expected;
	};
	const Row rows[] = {
		{"plain subject", "plain subject"},
		{"=?UTF-8?B?5L2g5aW9?=", "你好"},
		{"=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"},
		{"=?ISO-8859-1?Q?caf=E9?=", "café"},
		{"=?UTF-8?B?5L2g?= =?UTF-8?B?5aW9?=", "你好"},        // space between words dropped
		{"Re: =?UTF-8?B?5L2g5aW9?= again", "Re: 你好 again"}, // space next to text kept
		{"=?UTF-8?X?bogus?=", "=?UTF-8?X?bogus?="},           // unknown encoding left alone
		{"=?UTF-8?B?unterminated", "=?UTF-8?B?unterminated"},
		{"=?windows-1252?Q?=80uro?=", "€uro"},
		{"=?x-unknown?Q?abc?=", "abc"}, // unknown charset: bytes as is
	};
	for (const auto& row: rows)
		BOOST_CHECK_MESSAGE(decodeHeaderValue(row.raw) == row.expected,
			row.raw << " -> '" << decodeHeaderValue(row.raw) << "'");
}


BOOST_AUTO_TEST_CASE(body_decoding_applies_transfer_encoding_then_charset)
{
	BOOST_TEST(decodeBody("Y2Fm6Q==", "BASE64", "iso-8859-1") == "café");
	BOOST_TEST(decodeBody("caf=C3=A9", " quoted-printable ", "UTF-8") == "café");
	BOOST_TEST(decodeBody("raw 8bit", "8bit", "") == "raw 8bit");
}


BOOST_AUTO_TEST_CASE(message_with_qp_utf8_body_renders_readable)
{
	std::string raw =
		"From: usr1@mail.sustech.edu.cn\r\n"
		"To: usr@gmail.com\r\n"
		"Subject: =?UTF-8?B?5L2g5aW9?=\r\n"
		"Content-Type: text/plain; charset=UTF-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"=E4=BD=A0=E5=A5=BD, caf=C3=A9\r\n";
	std::string shown = renderMessage(raw);
	BOOST_TEST(shown.find("Subject: 你好\n") != std::string::npos, shown);
	BOOST_TEST(shown.find("From: usr1@mail.sustech.edu.cn\n") != std::string::npos);
	BOOST_TEST(shown.find("quoted-printable\n\n你好, café\n") != std::string::npos, shown);
	BOOST_TEST(shown.find('\r') == std::string::npos);
}


BOOST_AUTO_TEST_CASE(folded_header_and_base64_body)
{
	std::string raw =
		"Subject: a long\r\n"
		"\tfolded  subject\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"SGVsbG8g\r\n"
		"d29ybGQ=\r\n";
	std::string shown = renderMessage(raw);
	BOOST_TEST(shown.find("Subject: a long folded subject\n") != std::string::npos, shown);
	BOOST_TEST(shown.find("base64\n\nHello world\n") != std::string::npos, shown);
}


BOOST_AUTO_TEST_CASE(multipart_shows_text_parts_and_summarises_others)
{
	std::string raw =
		"Subject: report\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n"
		"\r\n"
		"preamble\r\n"
		"--XYZ\r\n"
		"Content-Type: text/plain; charset=ISO-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"caf=E9\r\n"
		"--XYZ\r\n"
		"Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"AAECAw==\r\n"
		"--XYZ--\r\n";
	std::string shown = renderMessage(raw);
	BOOST_TEST(shown.find("--- part 1 (text/plain)\ncafé\n") != std::string::npos, shown);
	BOOST_TEST(shown.find("[application/octet-stream data.bin, 4 bytes, not shown]") != std::string::npos, shown);
}


BOOST_AUTO_TEST_CASE(text_without_headers_is_shown_as_is)
{
	std::string shown = renderMessage("no header here\r\njust text\r\n");
	BOOST_TEST(shown.find("just text") != std::string::npos, shown);
}


namespace {


std::string sample(const std::string& name)
{
	std::ifstream in("test/data/mime/" + name, std::ios::binary);
	BOOST_REQUIRE_MESSAGE(in, "test/data/mime/" << name << " (run from the repository root)");
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}


const std::string kLongSubject = "这是一个很长的中文邮件主题，用来测试多个编码字之间的空白是否被正确忽略";


} // namespace


BOOST_AUTO_TEST_CASE(client_samples_render_subjects_and_bodies_in_utf8)
{
	struct Row
	{
		const char* file;
		std::string subject;
		std::string bodyText;
	};
	const Row rows[] = {
		{"thunderbird-utf8-folded-subject.eml", kLongSubject, "你好，世界！这是正文。\n第二行。\n"},
		{"outlook-gb2312.eml", "会议通知：下周一上午十点", "各位同事：\n请准时参加会议。谢谢！\n"},
		{"python-email-gbk-body.eml", kLongSubject, "中文正文，使用 GBK 编码。\n"},
	};
	for (const Row& row: rows)
	{
		const std::string shown = renderMessage(sample(row.file));
		BOOST_CHECK_MESSAGE(shown.find("\nSubject: " + row.subject + "\n") != std::string::npos, row.file << ":\n"
																										  << shown);
		BOOST_CHECK_MESSAGE(shown.find("\n\n" + row.bodyText) != std::string::npos, row.file << ":\n"
																							 << shown);
	}
	BOOST_TEST(renderMessage(sample("outlook-gb2312.eml")).find("From: 王小明 <wang@example.cn>\n") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(gb_charsets_decode_through_iconv)
{
	// "中文" in GBK/GB2312 (the same octets) and GB18030; a GBK-only character under a
	// GB2312 label still decodes (read as GB18030); an invalid octet becomes U+FFFD.
	BOOST_TEST(toUtf8("\xd6\xd0\xce\xc4", "GBK") == "中文");
	BOOST_TEST(toUtf8("\xd6\xd0\xce\xc4", "gb2312") == "中文");
	BOOST_TEST(toUtf8("\xd6\xd0\xce\xc4", "GB18030") == "中文");
	BOOST_TEST(toUtf8("\x95\x4e", "gb2312") == "昇"); // GBK extension
	BOOST_TEST(toUtf8("a\xff", "GBK") == "a\xef\xbf\xbd");
	BOOST_TEST(decodeHeaderValue("=?GBK?B?1tDOxA==?=") == "中文");
}


BOOST_AUTO_TEST_SUITE_END()
