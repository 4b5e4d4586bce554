// smtp_data_reader_tests.cpp - DATA reading: end marker, dot-unstuffing, line endings, limits.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/smtp/smtp_data_reader.h"

#include <string>
#include <vector>

using mail::DataStatus;
using mail::LineReader;
using mail::test::SocketPair;


BOOST_AUTO_TEST_SUITE(smtp_data_reader_tests)


namespace {


struct Row
{
	const char* name;
	std::string sent; ///< what the client sends after DATA
	DataStatus status;
	std::string stored; ///< message content when Ok
	std::string after;  ///< the next line the session would read
};


} // namespace


BOOST_AUTO_TEST_CASE(table)
{
	const std::string longLine(999, 'x'); // 999 + CRLF = 1001 > 1000
	const std::string maxLine(998, 'y');  // 998 + CRLF = 1000
	const std::vector<Row> rows = {
		{"plain", "Subject: a\r\n\r\nbody\r\n.\r\nQUIT\r\n", DataStatus::Ok, "Subject: a\r\n\r\nbody\r\n", "QUIT"},
		{"empty message", ".\r\nQUIT\r\n", DataStatus::Ok, "", "QUIT"},
		{"dot-stuffed", "..leading\r\n...\r\n.\r\nQUIT\r\n", DataStatus::Ok, ".leading\r\n..\r\n", "QUIT"},
		{"bare LF normalised", "a\nb\r\n.\r\nQUIT\r\n", DataStatus::Ok, "a\r\nb\r\n", "QUIT"},
		{"bare CR kept", "a\rb\r\n.\r\nQUIT\r\n", DataStatus::Ok, "a\rb\r\n", "QUIT"},
		{"LF.CRLF is content", "a\n.\r\nMAIL FROM:<evil@x.org>\r\n.\r\nQUIT\r\n", DataStatus::Ok,
			"a\r\n.\r\nMAIL FROM:<evil@x.org>\r\n", "QUIT"},
		{"CRLF.LF is content", "a\r\n.\nRCPT TO:<v@x.org>\r\n.\r\nQUIT\r\n", DataStatus::Ok,
			"a\r\n.\r\nRCPT TO:<v@x.org>\r\n", "QUIT"},
		{"line too long", longLine + "\r\nmore\r\n.\r\nQUIT\r\n", DataStatus::LineTooLong, "", "QUIT"},
		{"too big", std::string(40, 'z') + "\r\n" + std::string(40, 'z') + "\r\n.\r\nQUIT\r\n", DataStatus::TooBig, "", "QUIT"},
		{"exactly the size", std::string(62, 'z') + "\r\n.\r\nQUIT\r\n", DataStatus::Ok, std::string(62, 'z') + "\r\n", "QUIT"},
		{"closed", "partial\r\n", DataStatus::Closed, "", ""},
	};
	for (const auto& row: rows)
	{
		SocketPair pair;
		pair.client.sendBytes(row.sent.data(), static_cast<int>(row.sent.size()));
		if (row.status == DataStatus::Closed) pair.client.shutdownSend();
		LineReader reader(pair.server);
		std::string message;
		const DataStatus status = mail::readData(reader, {64, 1000, Poco::Timespan(5, 0)}, message);
		BOOST_CHECK_MESSAGE(status == row.status, row.name << ": " << mail::toString(status));
		if (status == DataStatus::Ok) BOOST_CHECK_MESSAGE(message == row.stored, row.name << ": stored '" << message << "'");
		if (!row.after.empty())
		{
			std::string line;
			reader.readLine(line, 510, Poco::Timespan(5, 0));
			BOOST_CHECK_MESSAGE(line == row.after, row.name << ": next line '" << line << "'");
		}
	}
}


BOOST_AUTO_TEST_CASE(long_line_within_size_is_kept)
{
	SocketPair pair;
	const std::string maxLine(998, 'y');
	const std::string sent = maxLine + "\r\n.\r\n";
	pair.client.sendBytes(sent.data(), static_cast<int>(sent.size()));
	LineReader reader(pair.server);
	std::string message;
	BOOST_TEST((mail::readData(reader, {10000, 1000, Poco::Timespan(5, 0)}, message) == DataStatus::Ok));
	BOOST_TEST(message == maxLine + "\r\n");
}


BOOST_AUTO_TEST_CASE(timeout)
{
	SocketPair pair;
	pair.client.sendBytes("line\r\n", 6);
	LineReader reader(pair.server);
	std::string message;
	BOOST_TEST((mail::readData(reader, {1000, 1000, Poco::Timespan(0, 200000)}, message) == DataStatus::Timeout));
}


BOOST_AUTO_TEST_SUITE_END()
