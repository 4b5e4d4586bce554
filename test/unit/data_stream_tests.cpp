// data_stream_tests.cpp - sending a stored message in pieces: the DATA encoder (LF -> CRLF, dot-stuffing
// at any cut), the relay's view of a queued message (bounded header, Return-Path dropped) and a large
// LF message streamed to a peer.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fake_smtp_peer.h"
#include "test/unit/fixtures.h"
#include "server/mail/envelope.h"
#include "server/message/dot_stuffing.h"
#include "server/message/line_ends.h"
#include "server/relay/relay_client.h"
#include "server/relay/relay_message.h"
#include "server/store/queue/relay_queue.h"

#include <random>
#include <string>
#include <vector>

using mail::DataEncoder;
using mail::lfToCrlf;
using mail::RelayMessage;
using mail::RelayQueue;
using mail::test::TempDir;


namespace {


std::string encodeWhole(const std::string& in, bool everyLf)
/// The reference: the whole-buffer encoder, then the end of DATA as the old sender made it.
{
	std::string out;
	mail::appendDotStuffedCrlf(out, in.data(), in.size(), everyLf);
	if (!in.empty() && in.back() != '\n') out += !everyLf && in.back() == '\r' ? "\n" : "\r\n";
	return out + ".\r\n";
}


std::string encodeInPieces(const std::string& in, bool everyLf, std::size_t piece)
{
	DataEncoder encoder(everyLf);
	std::string out;
	for (std::size_t at = 0; at < in.size(); at += piece) encoder.append(out, in.data() + at, std::min(piece, in.size() - at));
	encoder.finish(out);
	return out;
}


std::string randomMessage(std::mt19937& rng, std::size_t parts)
/// Dots, line ends, CRs and 8-bit octets where they are hardest to get right.
{
	static const char* const kParts[] = {".", "..", "\n", "\r", "\r\n", "x", "ab", "\xc3\xa9", "\n.", ".\n", "\r\n.\r\n"};
	std::string out;
	for (std::size_t i = 0; i < parts; ++i) out += kParts[rng() % (sizeof kParts / sizeof kParts[0])];
	return out;
}


std::string readAll(mail::MessageSource& source, std::size_t piece)
{
	source.rewind();
	std::string out;
	std::vector<char> buffer(piece);
	for (std::size_t n; (n = source.read(buffer.data(), buffer.size())) > 0;) out.append(buffer.data(), n);
	return out;
}


} // namespace


BOOST_AUTO_TEST_SUITE(data_stream_tests)


BOOST_AUTO_TEST_CASE(lf_lines_become_crlf_and_dots_are_stuffed_wherever_the_pieces_are_cut)
{
	const struct
	{
		const char* in;
		const char* out;
	} rows[] = {
		{"a\nb\n", "a\r\nb\r\n.\r\n"},
		{".\n", "..\r\n.\r\n"},
		{"a\n.b\n..c\n", "a\r\n..b\r\n...c\r\n.\r\n"},
		{"last line without LF", "last line without LF\r\n.\r\n"},
		{".dot, no LF", "..dot, no LF\r\n.\r\n"},
		{"cr is content\r\n", "cr is content\r\r\n.\r\n"},
		{"\n\n", "\r\n\r\n.\r\n"},
		{"", ".\r\n"},
	};
	for (const auto& row: rows)
	{
		const std::string in = row.in;
		for (std::size_t cut = 0; cut <= in.size(); ++cut)
		{
			DataEncoder encoder(true);
			std::string out;
			encoder.append(out, in.data(), cut);
			encoder.append(out, in.data() + cut, in.size() - cut);
			encoder.finish(out);
			BOOST_CHECK_MESSAGE(out == row.out, "input: " << row.in << " cut at " << cut);
		}
	}
}


BOOST_AUTO_TEST_CASE(pieces_of_every_size_give_what_the_whole_buffer_gives)
{
	std::mt19937 rng(20261205);
	for (int round = 0; round < 300; ++round)
	{
		const std::string in = randomMessage(rng, 1 + rng() % 60);
		for (const bool everyLf: {true, false})
		{
			const std::string want = encodeWhole(in, everyLf);
			for (std::size_t piece: {1, 2, 3, 5, 8, 64})
			{
				BOOST_REQUIRE_MESSAGE(encodeInPieces(in, everyLf, piece) == want,
					"everyLf " << everyLf << " piece " << piece << " input size " << in.size());
			}
		}
	}
}


BOOST_AUTO_TEST_CASE(the_relay_reads_the_header_once_drops_return_path_and_streams_the_rest)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string body = std::string(200000, 'b') + "\r\n.dot line\r\n";
	const std::string message =
		"Return-Path: <client@x.example>\r\n\tfolded\r\nReceived: from a\r\n"
		"Message-ID: <m1@x.example>\r\nSubject: s\r\n\r\n"
		+ body;
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, message);
	mail::QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	RelayMessage m(queue.open(e));
	BOOST_TEST(m.header() == "Received: from a\r\nMessage-ID: <m1@x.example>\r\nSubject: s\r\n");
	const std::string sent = "Received: from a\nMessage-ID: <m1@x.example>\nSubject: s\n\n" + std::string(200000, 'b') + "\n.dot line\n";
	BOOST_TEST(m.lfLines());
	for (std::size_t piece: {3, 4096, 65536})
	{
		BOOST_TEST((readAll(m, piece) == sent)); // again from the start each time
	}
	BOOST_TEST(m.wireSize() == lfToCrlf(sent).size());
}


BOOST_AUTO_TEST_CASE(a_header_longer_than_the_cap_is_read_only_up_to_the_cap_and_sent_as_it_is)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	std::string header = "Return-Path: <client@x.example>\r\n";
	while (header.size() < 2 * RelayMessage::kMaxHeader) header += "X-Long: " + std::string(70, 'h') + "\r\n";
	const std::string message = header + "\r\nbody\r\n";
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, message);
	mail::QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	RelayMessage m(queue.open(e));
	BOOST_TEST(m.header().size() <= RelayMessage::kMaxHeader + RelayMessage::kMaxHeader / 32);
	BOOST_TEST(m.header().find("X-Long") != std::string::npos);
	BOOST_TEST(m.header().substr(m.header().size() - 2) == "\r\n"); // complete lines only
	BOOST_TEST((lfToCrlf(readAll(m, 65536)) == message));
	BOOST_TEST(m.wireSize() == message.size());
}


BOOST_AUTO_TEST_CASE(a_large_lf_message_reaches_the_peer_crlf_and_dot_stuffed_with_the_right_size)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	// Lines that put a '.' or a line end at every offset of the 64 KB send buffer.
	std::string message = "Subject: big\r\n\r\n";
	for (int i = 0; message.size() < 3 * mail::kDataChunk; ++i) message += (i % 3 == 0 ? "." : "") + std::string(static_cast<std::size_t>(i % 113), 'z') + "\r\n";
	message += "no final line end";
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, message);
	mail::QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	RelayMessage m(queue.open(e));

	mail::test::FakeSmtpPeer peer("220 fake.example ESMTP", mail::test::FakeSmtpPeer::standard);
	mail::RelayClient client("exmail.qq.com", mail::Seconds(2), mail::Seconds(5));
	const mail::TransactionResult r = client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, m);
	BOOST_REQUIRE(r.recipients.size() == 1u);
	BOOST_TEST((r.recipients[0].outcome == mail::Outcome::Delivered));
	std::string want;
	mail::appendDotStuffed(want, message.data(), message.size());
	want += "\r\n";
	BOOST_TEST((peer.data() == want));
	BOOST_TEST(peer.commands().at(1) == "MAIL FROM:<a@x.example> SIZE=" + std::to_string(message.size() + 2));
}


BOOST_AUTO_TEST_SUITE_END()
