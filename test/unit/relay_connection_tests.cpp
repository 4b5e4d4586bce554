// relay_connection_tests.cpp - the relay's SMTP state machine and connection cache against a fake peer:
// PIPELINING when offered, recipients over the peer's limit, 421, reuse (RSET only after an
// unfinished transaction), stale cached connections.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/relay_client.h"
#include "test/unit/fake_smtp_peer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using mail::Outcome;
using mail::RelayClient;
using mail::Seconds;
using mail::TransactionResult;
using mail::test::FakeSmtpPeer;


namespace {


const std::string kMessage = "Subject: t\r\n\r\nbody\r\n";


std::string withoutPipelining(const std::string& command)
{
	if (command.compare(0, 5, "EHLO ") == 0) return "250-fake.example\r\n250 SIZE 10485760";
	return FakeSmtpPeer::standard(command);
}


unsigned count(const std::vector<std::string>& commands, const std::string& prefix)
{
	return static_cast<unsigned>(std::count_if(commands.begin(), commands.end(),
		[&](const std::string& c) { return c.compare(0, prefix.size(), prefix) == 0; }));
}


std::vector<std::string> addresses(unsigned n)
{
	std::vector<std::string> out;
	for (unsigned i = 0; i < n; ++i) out.push_back("u" + std::to_string(i) + "@gmail.com");
	return out;
}


bool allDelivered(const TransactionResult& r)
{
	return std::all_of(r.recipients.begin(), r.recipients.end(),
		[](const mail::RecipientResult& x) { return x.outcome == Outcome::Delivered; });
}


FakeSmtpPeer::Answer limitedTo(unsigned limit)
/// A peer taking at most `limit` recipients per transaction, like Postfix's
/// smtpd_recipient_limit: 452 4.5.3 for the rest (RFC 5321 4.5.3.1.10).
{
	auto taken = std::make_shared<std::atomic<unsigned>>(0);
	return [taken, limit](const std::string& command) {
		if (command.compare(0, 10, "MAIL FROM:") == 0 || command == "RSET") *taken = 0;
		if (command.compare(0, 8, "RCPT TO:") == 0 && ++*taken > limit) return std::string("452 4.5.3 Error: too many recipients");
		return FakeSmtpPeer::standard(command);
	};
}


} // namespace


BOOST_AUTO_TEST_SUITE(relay_connection_tests)


BOOST_AUTO_TEST_CASE(pipelining_sends_mail_rcpt_and_data_in_one_batch_when_offered)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5));
	const TransactionResult r = client.send(peer.exchanger(), "a@x.example", {"u1@gmail.com", "error@gmail.com"}, kMessage);
	BOOST_TEST((r.recipients.at(0).outcome == Outcome::Delivered));
	BOOST_TEST((r.recipients.at(1).outcome == Outcome::Permanent));
	BOOST_TEST(r.recipients.at(1).status == "5.1.1");
	const std::vector<std::string> followed = peer.followed();
	const std::vector<std::string> expected = {"MAIL FROM:<a@x.example> SIZE=" + std::to_string(kMessage.size()),
		"RCPT TO:<u1@gmail.com>", "RCPT TO:<error@gmail.com>"};
	BOOST_TEST(followed == expected, boost::test_tools::per_element());
	BOOST_TEST(peer.messages() == 1u);
}


BOOST_AUTO_TEST_CASE(no_pipelining_against_a_peer_that_does_not_offer_it)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", withoutPipelining);
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5));
	const TransactionResult r = client.send(peer.exchanger(), "a@x.example", {"u1@gmail.com", "u2@gmail.com"}, kMessage);
	BOOST_TEST(allDelivered(r));
	BOOST_TEST(peer.followed().empty()); // every command waited for the reply before it
	BOOST_TEST(count(peer.commands(), "RCPT TO:") == 2u);
}


BOOST_AUTO_TEST_CASE(eight_bit_content_is_declared_body_8bitmime_to_a_peer_that_offers_it)
{
	// RFC 6152; found against Postfix, which declares it and logs what we sent (docs/interop.md)
	FakeSmtpPeer peer("220 fake.example ESMTP", [](const std::string& command) {
		if (command.compare(0, 5, "EHLO ") == 0) return std::string("250-fake.example\r\n250-8BITMIME\r\n250 SIZE 10485760");
		return FakeSmtpPeer::standard(command);
	});
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5));
	const std::string eightBit = "Subject: t\r\n\r\ncaf\xc3\xa9\r\n";
	BOOST_TEST(allDelivered(client.send(peer.exchanger(), "a@x.example", {"u1@gmail.com"}, eightBit)));
	BOOST_TEST(allDelivered(client.send(peer.exchanger(), "a@x.example", {"u1@gmail.com"}, kMessage)));
	std::vector<std::string> mailFrom;
	for (const auto& c: peer.commands())
		if (c.compare(0, 10, "MAIL FROM:") == 0) mailFrom.push_back(c);
	const std::vector<std::string> expected = {"MAIL FROM:<a@x.example> SIZE=" + std::to_string(eightBit.size()) + " BODY=8BITMIME",
		"MAIL FROM:<a@x.example> SIZE=" + std::to_string(kMessage.size())};
	BOOST_TEST(mailFrom == expected, boost::test_tools::per_element());
	// never to a peer that did not offer it (RFC 1869: no parameter the server did not announce)
	FakeSmtpPeer plain("220 fake.example ESMTP", FakeSmtpPeer::standard);
	BOOST_TEST(allDelivered(client.send(plain.exchanger(), "a@x.example", {"u1@gmail.com"}, eightBit)));
	BOOST_TEST(count(plain.commands(), "MAIL FROM:<a@x.example> SIZE=" + std::to_string(eightBit.size())) == 1u);
	BOOST_TEST(count(plain.commands(), "MAIL FROM:<a@x.example> SIZE=" + std::to_string(eightBit.size()) + " BODY") == 0u);
}


BOOST_AUTO_TEST_CASE(recipients_over_the_peers_limit_go_in_the_next_transaction_on_the_same_connection)
{
	for (const bool pipelining: {true, false})
	{
		const FakeSmtpPeer::Answer limited = limitedTo(30);
		FakeSmtpPeer peer("220 fake.example ESMTP", [&](const std::string& c) {
			return c.compare(0, 5, "EHLO ") == 0 && !pipelining ? withoutPipelining(c) : limited(c);
		});
		RelayClient client("exmail.qq.com", Seconds(2), Seconds(5));
		const TransactionResult r = client.send(peer.exchanger(), "a@x.example", addresses(150), kMessage);
		BOOST_TEST(r.recipients.size() == 150u);
		BOOST_TEST(allDelivered(r));
		BOOST_TEST(peer.messages() == 5u);    // 30 each: the first offer of 50 taught the limit
		BOOST_TEST(peer.connections() == 1u); // all on the same connection
		// Pipelined, all 50 of the first offer went out and 20 were refused; one by one,
		// the client stopped at the first refusal. Later transactions offer 30.
		BOOST_TEST(count(peer.commands(), "RCPT TO:") == (pipelining ? 170u : 151u));
		BOOST_TEST(r.recipients.back().address == "u149@gmail.com"); // in the order asked
	}
}


BOOST_AUTO_TEST_CASE(a_message_to_many_recipients_goes_in_transactions_of_fifty)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", limitedTo(100));
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5));
	BOOST_TEST(allDelivered(client.send(peer.exchanger(), "a@x.example", addresses(150), kMessage)));
	BOOST_TEST(peer.messages() == 3u);
	BOOST_TEST(count(peer.commands(), "RCPT TO:") == 150u); // nothing refused
	BOOST_TEST(peer.connections() == 1u);
}


BOOST_AUTO_TEST_CASE(a_421_closes_the_connection_and_leaves_the_rest_for_later)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", [](const std::string& command) -> std::string {
		if (command == "RCPT TO:<u1@gmail.com>") return "421 4.3.2 fake.example Service shutting down";
		return withoutPipelining(command);
	});
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(10));
	const TransactionResult r = client.send(peer.exchanger(), "a@x.example", addresses(3), kMessage);
	BOOST_REQUIRE(r.recipients.size() == 3u);
	for (const auto& x: r.recipients)
	{
		BOOST_TEST((x.outcome == Outcome::Temporary));
		BOOST_TEST(x.status == "4.3.2");
	}
	BOOST_TEST(peer.messages() == 0u);
	BOOST_TEST(client.idleConnections() == 0u); // not kept after a 421
}


BOOST_AUTO_TEST_CASE(an_idle_connection_is_reused_without_rset_up_to_max_messages)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(10), 2);
	for (int i = 0; i < 5; ++i)
	{
		const TransactionResult r = client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage);
		BOOST_TEST(allDelivered(r));
		BOOST_TEST(r.reused == (i % 2 == 1)); // the second message of each connection
	}
	const auto commands = peer.commands();
	BOOST_TEST(peer.messages() == 5u);
	BOOST_TEST(count(commands, "EHLO ") == 3u); // 2 + 2 + 1 messages per connection
	// The reply to the end of DATA ended each transaction: no round trip to reset it.
	BOOST_TEST(count(commands, "RSET") == 0u);
	BOOST_TEST(count(commands, "QUIT") == 2u); // the full ones; the last one is idle in the cache
	BOOST_TEST(client.idleConnections() == 1u);
}


BOOST_AUTO_TEST_CASE(a_connection_whose_last_transaction_did_not_reach_data_is_reset_before_the_next)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(10));
	// Every recipient refused: MAIL stays open on the peer (DATA got 554), so RSET first.
	const TransactionResult refused = client.send(peer.exchanger(), "a@x.example", {"error@gmail.com"}, kMessage);
	BOOST_REQUIRE(refused.recipients.size() == 1u);
	BOOST_TEST((refused.recipients[0].outcome == Outcome::Permanent));
	const TransactionResult r = client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage);
	BOOST_TEST(allDelivered(r));
	BOOST_TEST(r.reused);
	const auto commands = peer.commands();
	BOOST_TEST(count(commands, "RSET") == 1u);
	BOOST_TEST(count(commands, "MAIL FROM:") == 2u);
	BOOST_TEST(peer.connections() == 1u);
}


BOOST_AUTO_TEST_CASE(an_idle_connection_is_closed_after_the_cache_time)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(1));
	BOOST_TEST(allDelivered(client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage)));
	BOOST_TEST(client.idleConnections() == 1u);
	const auto idleSince = std::chrono::steady_clock::now();
	// closed once the 1 s cache time has passed (polled: the reaper runs on its own time)
	for (int i = 0; i < 1000 && client.idleConnections() != 0u; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
	BOOST_TEST(client.idleConnections() == 0u);
	BOOST_TEST((std::chrono::steady_clock::now() - idleSince >= std::chrono::milliseconds(900)));
	// the QUIT reaches the peer's reader thread a moment after the client lets go: wait for it
	for (int i = 0; i < 1000 && count(peer.commands(), "QUIT") == 0u; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
	BOOST_TEST(count(peer.commands(), "QUIT") == 1u);
}


BOOST_AUTO_TEST_CASE(a_cached_connection_the_peer_closed_is_replaced_without_a_failure)
{
	// The peer says 421 and closes right after each message, as on its idle timeout.
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard,
		"250 2.0.0 Ok: queued\r\n421 4.4.2 fake.example Error: timeout exceeded\r\nclose");
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(10));
	BOOST_TEST(allDelivered(client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage)));
	const TransactionResult second = client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage);
	BOOST_TEST(allDelivered(second));
	BOOST_TEST(!second.reused);
	BOOST_TEST(peer.connections() == 2u);
	BOOST_TEST(peer.messages() == 2u);
	BOOST_TEST(count(peer.commands(), "MAIL FROM:") == 2u); // nothing was sent on the closed one
}


BOOST_AUTO_TEST_CASE(a_cached_connection_the_peer_closes_as_the_transaction_begins_is_replaced_without_a_failure)
{
	// The peer drops the connection on the second MAIL (its close crossing our batch):
	// nothing of that transaction was taken, so it goes again on a new connection.
	auto mails = std::make_shared<std::atomic<unsigned>>(0);
	FakeSmtpPeer peer("220 fake.example ESMTP", [mails](const std::string& command) {
		if (command.compare(0, 10, "MAIL FROM:") == 0 && ++*mails == 2) return std::string("close");
		return FakeSmtpPeer::standard(command);
	});
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(10));
	BOOST_TEST(allDelivered(client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage)));
	const TransactionResult second = client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage);
	BOOST_TEST(allDelivered(second));
	BOOST_TEST(!second.reused);
	BOOST_TEST(count(peer.commands(), "MAIL FROM:") == 3u);
	BOOST_TEST(peer.connections() == 2u);
	BOOST_TEST(peer.messages() == 2u);
}


BOOST_AUTO_TEST_CASE(a_fresh_connection_lost_before_any_reply_is_not_tried_again)
{
	// Only a cached connection is replaced: on a new one the loss is the peer's answer.
	FakeSmtpPeer peer("220 fake.example ESMTP", [](const std::string& command) {
		return command.compare(0, 10, "MAIL FROM:") == 0 ? std::string("close") : FakeSmtpPeer::standard(command);
	});
	RelayClient client("exmail.qq.com", Seconds(2), Seconds(5), Seconds(10));
	const TransactionResult r = client.send(peer.exchanger(), "a@x.example", {"u@gmail.com"}, kMessage);
	BOOST_REQUIRE(r.recipients.size() == 1u);
	BOOST_TEST((r.recipients[0].outcome == Outcome::Temporary));
	BOOST_TEST(peer.connections() == 1u);
	BOOST_TEST(count(peer.commands(), "MAIL FROM:") == 1u);
}


BOOST_AUTO_TEST_SUITE_END()
