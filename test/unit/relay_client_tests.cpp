// relay_client_tests.cpp - outbound SMTP against a scripted fake peer on a loopback socket.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fake_smtp_peer.h"
#include "server/message/dot_stuffing.h"
#include "server/relay/relay_client.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <chrono>

using mail::Exchanger;
using mail::Outcome;
using mail::RelayClient;
using mail::Seconds;
using mail::TransactionResult;


namespace {


using FakePeer = mail::test::FakeSmtpPeer;


std::string standard(const std::string& command)
{
	return FakePeer::standard(command);
}


std::string oneByOne(const std::string& command)
/// A peer without PIPELINING: the client must wait for each reply.
{
	if (command.compare(0, 5, "EHLO ") == 0) return "250-fake.example\r\n250 SIZE 10485760";
	return FakePeer::standard(command);
}


const std::string kMessage = "Subject: t\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\nend";


RelayClient client(long commandTimeout = 5)
{
	return RelayClient("exmail.qq.com", Seconds(2), Seconds(commandTimeout));
}


} // namespace


BOOST_AUTO_TEST_SUITE(relay_client_tests)


BOOST_AUTO_TEST_CASE(delivers_with_one_transaction_and_dot_stuffing)
{
	FakePeer peer("220 fake.example ESMTP", standard);
	RelayClient c = client();
	const TransactionResult r = c.send(peer.exchanger(), "usr1@mail.sustech.edu.cn", {"usr@gmail.com", "b@gmail.com"}, kMessage);
	BOOST_TEST(!r.tryNext);
	BOOST_REQUIRE(r.recipients.size() == 2u);
	for (const auto& rr: r.recipients)
	{
		BOOST_TEST((rr.outcome == Outcome::Delivered));
		BOOST_TEST(rr.status == "2.0.0");
		BOOST_TEST(rr.reply == "250 2.0.0 Ok: queued");
		BOOST_TEST(rr.remote);
	}
	const std::vector<std::string> expected = {
		"EHLO exmail.qq.com",
		"MAIL FROM:<usr1@mail.sustech.edu.cn> SIZE=" + std::to_string(kMessage.size()),
		"RCPT TO:<usr@gmail.com>",
		"RCPT TO:<b@gmail.com>",
		"DATA",
		"QUIT",
	};
	BOOST_TEST(peer.commands() == expected, boost::test_tools::per_element());
	BOOST_TEST(peer.data() == "Subject: t\r\n\r\nline one\r\n..starts with a dot\r\n...two dots\r\nend\r\n");
}


BOOST_AUTO_TEST_CASE(each_recipient_gets_its_own_outcome)
{
	FakePeer peer("220 fake.example ESMTP", standard);
	RelayClient c = client();
	const TransactionResult r = c.send(peer.exchanger(), "a@x.example",
		{"error@gmail.com", "usr@gmail.com", "busy@gmail.com"}, kMessage);
	BOOST_REQUIRE(r.recipients.size() == 3u);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Permanent));
	BOOST_TEST(r.recipients[0].status == "5.1.1");
	BOOST_TEST(r.recipients[0].reply == "550 5.1.1 <error@gmail.com>: Recipient address rejected: User unknown");
	BOOST_TEST((r.recipients[1].outcome == Outcome::Delivered));
	BOOST_TEST((r.recipients[2].outcome == Outcome::Temporary));
	BOOST_TEST(r.recipients[2].status == "4.2.1");
}


BOOST_AUTO_TEST_CASE(no_data_when_every_recipient_is_refused)
{
	FakePeer peer("220 fake.example ESMTP", oneByOne);
	RelayClient c = client();
	const TransactionResult r = c.send(peer.exchanger(), "a@x.example", {"error@gmail.com"}, kMessage);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Permanent));
	const auto commands = peer.commands();
	BOOST_TEST((std::find(commands.begin(), commands.end(), "DATA") == commands.end()));
	BOOST_TEST(commands.back() == "QUIT");
}


BOOST_AUTO_TEST_CASE(falls_back_to_helo_and_sends_null_sender)
{
	FakePeer peer("220 old.example SMTP", [](const std::string& command) -> std::string {
		if (command.compare(0, 5, "EHLO ") == 0) return "502 5.5.2 Error: command not recognized";
		if (command.compare(0, 5, "HELO ") == 0) return "250 old.example";
		return standard(command);
	});
	RelayClient c = client();
	const TransactionResult r = c.send(peer.exchanger(), "", {"usr@gmail.com"}, kMessage);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Delivered));
	const auto commands = peer.commands();
	BOOST_REQUIRE(commands.size() >= 3u);
	BOOST_TEST(commands[1] == "HELO exmail.qq.com");
	BOOST_TEST(commands[2] == "MAIL FROM:<>"); // no SIZE without EHLO
}


BOOST_AUTO_TEST_CASE(reply_classes_decide_the_outcome)
{
	const struct
	{
		const char* mailReply;
		const char* endReply;
		Outcome outcome;
		const char* status;
	} rows[] = {
		{"250 ok", "250 ok", Outcome::Delivered, "2.0.0"},
		{"451 4.3.0 try later", "250 ok", Outcome::Temporary, "4.3.0"},
		{"553 5.7.1 sender rejected", "250 ok", Outcome::Permanent, "5.7.1"},
		{"250 ok", "452 4.3.1 insufficient storage", Outcome::Temporary, "4.3.1"},
		{"250 ok", "554 5.6.0 content rejected", Outcome::Permanent, "5.6.0"},
		{"250 ok", "554 no enhanced code", Outcome::Permanent, "5.0.0"},
	};
	for (const auto& row: rows)
	{
		const std::string mailReply = row.mailReply;
		FakePeer peer(
			"220 fake.example ESMTP", [&](const std::string& command) {
				return command.compare(0, 10, "MAIL FROM:") == 0 ? mailReply : standard(command);
			},
			row.endReply);
		RelayClient c = client();
		const TransactionResult r = c.send(peer.exchanger(), "a@x.example", {"usr@gmail.com"}, kMessage);
		BOOST_CHECK_MESSAGE(r.recipients[0].outcome == row.outcome, row.mailReply << " / " << row.endReply);
		BOOST_CHECK_MESSAGE(r.recipients[0].status == row.status, row.mailReply << " / " << row.endReply << ": " << r.recipients[0].status);
		BOOST_TEST(!r.tryNext);
	}
}


BOOST_AUTO_TEST_CASE(refused_connection_means_try_the_next_exchanger)
{
	Exchanger closed{"down.example", 10, "127.0.0.1", 0};
	{
		Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
		closed.port = s.address().port();
	} // closed now: nothing listens there
	RelayClient c = client();
	const TransactionResult r = c.send(closed, "a@x.example", {"usr@gmail.com"}, kMessage);
	BOOST_TEST(r.tryNext);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Temporary));
	BOOST_TEST(!r.recipients[0].remote);
	BOOST_TEST(r.recipients[0].reply.find("connect to down.example[127.0.0.1]") == 0u);
}


BOOST_AUTO_TEST_CASE(refusing_greeting_means_try_the_next_exchanger)
{
	FakePeer peer("421 4.7.0 fake.example Error: too many connections", standard);
	RelayClient c = client();
	const TransactionResult r = c.send(peer.exchanger(), "a@x.example", {"usr@gmail.com"}, kMessage);
	BOOST_TEST(r.tryNext);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Temporary));
	BOOST_TEST(r.recipients[0].reply.find("too many connections") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(a_silent_peer_times_out_and_is_retried)
{
	FakePeer peer("220 fake.example ESMTP", [](const std::string& command) -> std::string {
		if (command.compare(0, 10, "MAIL FROM:") == 0) return "close";
		return standard(command);
	});
	RelayClient c = client(1);
	const auto start = std::chrono::steady_clock::now();
	const TransactionResult r = c.send(peer.exchanger(), "a@x.example", {"usr@gmail.com"}, kMessage);
	BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(3)));
	BOOST_TEST(!r.tryNext);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Temporary));
	BOOST_TEST(r.recipients[0].reply.find("while sending MAIL FROM") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(a_peer_that_never_answers_hits_the_command_timeout)
{
	FakePeer peer("220 fake.example ESMTP", [](const std::string& command) -> std::string {
		if (command.compare(0, 8, "RCPT TO:") == 0) return ""; // say nothing, keep reading
		return oneByOne(command);
	});
	RelayClient c = client(1);
	const auto start = std::chrono::steady_clock::now();
	const TransactionResult r = c.send(peer.exchanger(), "a@x.example", {"usr@gmail.com"}, kMessage);
	const auto took = std::chrono::steady_clock::now() - start;
	BOOST_TEST((took >= std::chrono::milliseconds(900)));
	BOOST_TEST((took < std::chrono::seconds(3)));
	BOOST_TEST((r.recipients[0].outcome == Outcome::Temporary));
	BOOST_TEST(r.recipients[0].reply.find("while sending RCPT TO") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(dot_stuffing_table)
{
	const struct
	{
		const char* in;
		const char* out;
	} rows[] = {
		{"a\r\nb\r\n", "a\r\nb\r\n"},
		{".\r\n", "..\r\n"},
		{"a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n"},
		{"no final crlf", "no final crlf\r\n"},
		{"ends in cr\r", "ends in cr\r\n"},
		{"mid.dot\r\n", "mid.dot\r\n"},
		{"", ""},
	};
	// As DATA sends a CRLF message: in pieces cut anywhere, then ".\r\n".
	for (const auto& row: rows)
	{
		const std::string in = row.in;
		for (std::size_t cut = 0; cut <= in.size(); ++cut)
		{
			mail::DataEncoder encoder(false);
			std::string out;
			encoder.append(out, in.data(), cut);
			encoder.append(out, in.data() + cut, in.size() - cut);
			encoder.finish(out);
			BOOST_CHECK_MESSAGE(out == std::string(row.out) + ".\r\n", "input: " << row.in << " cut at " << cut);
		}
	}
}


BOOST_AUTO_TEST_CASE(status_from_reply_table)
{
	const struct
	{
		int code;
		const char* reply;
		const char* status;
	} rows[] = {
		{550, "550 5.1.1 <x>: Recipient address rejected", "5.1.1"},
		{550, "550 User unknown", "5.0.0"},
		{450, "450 4.2.1 busy", "4.2.1"},
		{450, "450 5.2.1 wrong class", "4.0.0"},
		{250, "250 2.0.0 Ok: queued as X", "2.0.0"},
		{250, "250 Ok", "2.0.0"},
		{552, "552-5.3.4 too big\n552 5.3.4 really", "5.3.4"},
		{550, "550 5.1234.1 too many digits", "5.0.0"},
	};
	for (const auto& row: rows)
	{
		BOOST_CHECK_MESSAGE(mail::statusFromReply(row.code, row.reply) == row.status,
			row.reply << " -> " << mail::statusFromReply(row.code, row.reply));
	}
}


BOOST_AUTO_TEST_SUITE_END()
