// smtp_chunk_reader_tests.cpp - BDAT chunks (RFC 3030): lines across chunk boundaries, no unstuffing, limits, exact reads.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/smtp/smtp_chunk_reader.h"

#include <string>
#include <vector>

using mail::ChunkDecoder;
using mail::DataStatus;
using mail::LineReader;
using mail::test::SocketPair;


BOOST_AUTO_TEST_SUITE(smtp_chunk_reader_tests)


namespace {


/// Collects lines with LF ends, as the spool file stores them.
struct Lines: mail::LineSink
{
	void line(const std::string& text) override { out += text + "\n"; }
	std::string out;
};


const mail::DataLimits kLimits{1000, 1000, Poco::Timespan(5, 0)};


std::string decode(const std::vector<std::string>& chunks, DataStatus& verdict, const mail::DataLimits& limits = kLimits)
{
	Lines sink;
	ChunkDecoder decoder(limits, sink);
	for (const auto& chunk: chunks) decoder.feed(chunk.data(), chunk.size());
	decoder.finish();
	verdict = decoder.verdict();
	return sink.out;
}


} // namespace


BOOST_AUTO_TEST_CASE(lines_as_data_stores_them_without_unstuffing)
{
	DataStatus verdict = DataStatus::Closed;
	BOOST_TEST(decode({"Subject: a\r\n\r\n..two dots\r\n.\r\nbare\nlf\r\ncr\rkept\r\n"}, verdict)
		== "Subject: a\n\n..two dots\n.\nbare\nlf\ncr\rkept\n");
	BOOST_TEST((verdict == DataStatus::Ok));
	BOOST_TEST(decode({}, verdict).empty());
	BOOST_TEST(decode({"no end"}, verdict) == "no end\n"); // the last line, unterminated
}


BOOST_AUTO_TEST_CASE(every_split_point_gives_the_same_lines)
{
	const std::string message = "From: a@b\r\nSubject: x\r\n\r\nline\r\n\r\nCR\rLF\nend\r\n";
	DataStatus verdict = DataStatus::Closed;
	const std::string whole = decode({message}, verdict);
	for (std::size_t cut = 0; cut <= message.size(); ++cut)
	{
		for (std::size_t cut2 = cut; cut2 <= message.size(); ++cut2)
		{
			const std::string got = decode({message.substr(0, cut), message.substr(cut, cut2 - cut), message.substr(cut2)}, verdict);
			BOOST_CHECK_MESSAGE(got == whole, "cut at " << cut << "," << cut2 << ": '" << got << "'");
		}
	}
	// A CR ending one chunk and an LF starting the next are one CRLF, not a CR in the line.
	BOOST_TEST(decode({"a\r", "\nb\r\n"}, verdict) == "a\nb\n");
	BOOST_TEST(decode({"a\r", "b\r\n"}, verdict) == "a\rb\n");
}


BOOST_AUTO_TEST_CASE(limits)
{
	DataStatus verdict = DataStatus::Ok;
	decode({std::string(998, 'y') + "\r\n"}, verdict);
	BOOST_TEST((verdict == DataStatus::Ok));
	decode({std::string(500, 'x'), std::string(499, 'x') + "\r", "\n"}, verdict); // 999 + CRLF
	BOOST_TEST((verdict == DataStatus::LineTooLong));
	decode({std::string(5000, 'x')}, verdict);
	BOOST_TEST((verdict == DataStatus::LineTooLong));
	const mail::DataLimits small{64, 1000, Poco::Timespan(5, 0)};
	decode({std::string(62, 'z') + "\r\n"}, verdict, small);
	BOOST_TEST((verdict == DataStatus::Ok));
	decode({std::string(40, 'z') + "\r\n", std::string(40, 'z') + "\r\n"}, verdict, small);
	BOOST_TEST((verdict == DataStatus::TooBig));
}


BOOST_AUTO_TEST_CASE(read_chunk_takes_exactly_its_octets)
{
	SocketPair pair;
	const std::string sent = "ab\r\n.\r\nQUIT\r\n";
	pair.client.sendBytes(sent.data(), static_cast<int>(sent.size()));
	LineReader reader(pair.server);
	Lines sink;
	ChunkDecoder decoder(kLimits, sink);
	BOOST_TEST((mail::readChunk(reader, 7, Poco::Timespan(5, 0), &decoder) == DataStatus::Ok));
	decoder.finish();
	BOOST_TEST(sink.out == "ab\n.\n");
	BOOST_TEST(decoder.received() == 7u);
	std::string line;
	reader.readLine(line, 510, Poco::Timespan(5, 0));
	BOOST_TEST(line == "QUIT");
}


BOOST_AUTO_TEST_CASE(a_refused_chunk_is_read_and_dropped_and_a_short_one_is_closed)
{
	SocketPair pair;
	const std::string big(100000, 'q');
	const std::string sent = big + "NOOP\r\n";
	pair.client.sendBytes(sent.data(), static_cast<int>(sent.size()));
	LineReader reader(pair.server);
	BOOST_TEST((mail::readChunk(reader, big.size(), Poco::Timespan(5, 0), nullptr) == DataStatus::Ok));
	std::string line;
	reader.readLine(line, 510, Poco::Timespan(5, 0));
	BOOST_TEST(line == "NOOP");
	pair.client.sendBytes("xy", 2);
	pair.client.shutdownSend();
	BOOST_TEST((mail::readChunk(reader, 10, Poco::Timespan(5, 0), nullptr) == DataStatus::Closed));
}


BOOST_AUTO_TEST_CASE(timeout)
{
	SocketPair pair;
	pair.client.sendBytes("abc", 3);
	LineReader reader(pair.server);
	BOOST_TEST((mail::readChunk(reader, 10, Poco::Timespan(0, 200000), nullptr) == DataStatus::Timeout));
}


BOOST_AUTO_TEST_SUITE_END()
