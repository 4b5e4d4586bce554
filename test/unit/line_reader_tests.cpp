// line_reader_tests.cpp - LineReader over a real loopback socket pair.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "common/base/line_reader.h"

#include <chrono>
#include <string>
#include <atomic>
#include <thread>

using mail::LineReader;
using mail::ReadStatus;
using mail::test::SocketPair;


namespace {


const Poco::Timespan kShort(0, long{200} * 1000);
const Poco::Timespan kLong(5, 0);


void send(Poco::Net::StreamSocket& socket, const std::string& data)
{
	socket.sendBytes(data.data(), static_cast<int>(data.size()));
}


} // namespace


BOOST_AUTO_TEST_SUITE(line_reader_tests)


BOOST_AUTO_TEST_CASE(splits_pipelined_lines_and_reports_terminators)
{
	SocketPair pair;
	send(pair.client, "EHLO a\r\nMAIL FROM:<x@y>\nNOOP\r\n");
	LineReader reader(pair.server);
	std::string line;
	BOOST_TEST((reader.readLine(line, 510, kLong) == ReadStatus::Ok));
	BOOST_TEST(line == "EHLO a");
	BOOST_TEST(reader.endedWithCRLF());
	BOOST_TEST(reader.buffered() > 0u);
	BOOST_TEST((reader.readLine(line, 510, kLong) == ReadStatus::Ok));
	BOOST_TEST(line == "MAIL FROM:<x@y>");
	BOOST_TEST(!reader.endedWithCRLF());
	BOOST_TEST((reader.readLine(line, 510, kLong) == ReadStatus::Ok));
	BOOST_TEST(line == "NOOP");
	BOOST_TEST(reader.buffered() == 0u);
}


BOOST_AUTO_TEST_CASE(line_split_across_writes)
{
	SocketPair pair;
	LineReader reader(pair.server, 8); // tiny buffer: the line spans several receives
	send(pair.client, "RCPT TO:<someone@example.com>\r");
	send(pair.client, "\nQUIT\r\n");
	std::string line;
	BOOST_TEST((reader.readLine(line, 510, kLong) == ReadStatus::Ok));
	BOOST_TEST(line == "RCPT TO:<someone@example.com>");
	BOOST_TEST((reader.readLine(line, 510, kLong) == ReadStatus::Ok));
	BOOST_TEST(line == "QUIT");
}


BOOST_AUTO_TEST_CASE(limit_boundaries)
{
	struct Row
	{
		std::string input;
		ReadStatus status;
		std::string line;
	};
	const Row rows[] = {
		{"abcd\r\n", ReadStatus::Ok, "abcd"},         // exactly the limit, CRLF
		{"abcd\n", ReadStatus::Ok, "abcd"},           // exactly the limit, bare LF
		{"abcde\r\n", ReadStatus::TooLong, "abcd"},   // one over
		{"abcd\rx\r\n", ReadStatus::TooLong, "abcd"}, // a CR that is not the terminator's
		{"abcdefghijklmnop\r\n", ReadStatus::TooLong, "abcd"},
		{"\r\n", ReadStatus::Ok, ""},
		{"a\rb\r\n", ReadStatus::Ok, "a\rb"}, // a lone CR stays in the line
	};
	for (const Row& row: rows)
	{
		SocketPair pair;
		send(pair.client, row.input + "next\r\n");
		LineReader reader(pair.server, 4);
		std::string line;
		const ReadStatus status = reader.readLine(line, 4, kLong);
		BOOST_CHECK_MESSAGE(status == row.status, "status for " << row.input.size() << "-octet input: " << toString(status));
		BOOST_CHECK_MESSAGE(line == row.line, "line for input of " << row.input.size() << " octets");
		BOOST_CHECK_MESSAGE(reader.readLine(line, 4, kLong) == ReadStatus::Ok && line == "next",
			"the reader resynchronises after the line");
	}
}


BOOST_AUTO_TEST_CASE(timeout_and_close)
{
	SocketPair pair;
	LineReader reader(pair.server);
	std::string line;
	send(pair.client, "partial");
	BOOST_TEST((reader.readLine(line, 510, kShort) == ReadStatus::Timeout));
	pair.client.close();
	BOOST_TEST((reader.readLine(line, 510, kLong) == ReadStatus::Closed));
}


BOOST_AUTO_TEST_CASE(deadline_covers_the_whole_line)
{
	// A client that keeps sending bytes but never ends the line still times out.
	SocketPair pair;
	LineReader reader(pair.server);
	std::string line;
	send(pair.client, "a");
	// 40 more bytes, one each 50 ms (2 s): a deadline that each byte moved on would still be
	// waiting when the last one is sent; the line's own deadline (200 ms) ends it long before.
	constexpr int kTrickled = 40;
	std::atomic<int> sent{0};
	std::atomic<bool> stop{false};
	std::thread trickle([&] {
		for (int i = 0; i < kTrickled && !stop; ++i)
		{
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
			send(pair.client, "b");
			++sent;
		}
	});
	const ReadStatus status = reader.readLine(line, 510, kShort);
	const int sentWhenDone = sent;
	stop = true;
	trickle.join();
	BOOST_TEST((status == ReadStatus::Timeout));
	BOOST_TEST(sentWhenDone < kTrickled);
}


BOOST_AUTO_TEST_SUITE_END()
