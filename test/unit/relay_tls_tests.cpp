// relay_tls_tests.cpp - relay.tls against a fake peer: STARTTLS only when offered and wanted,
// a failed opportunistic handshake retried in plaintext, verify deferring with 4.7.5.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/relay_client.h"
#include "test/unit/fake_smtp_peer.h"

#include <algorithm>

using mail::Outcome;
using mail::RelayClient;
using mail::RelayTls;
using mail::Seconds;
using mail::TransactionResult;
using mail::test::FakeSmtpPeer;


namespace {


const std::string kMessage = "Subject: t\r\n\r\nbody\r\n";


std::string offersStarttls(const std::string& command)
/// Offers STARTTLS, says yes to it, and then drops the connection, so the client's TLS
/// handshake fails at once (as with a broken TLS stack on the peer).
{
	if (command.compare(0, 5, "EHLO ") == 0) return "250-fake.example\r\n250-STARTTLS\r\n250 SIZE 10485760";
	if (command == "STARTTLS") return "220 2.0.0 Ready to start TLS\r\nclose";
	return FakeSmtpPeer::standard(command);
}


unsigned count(const std::vector<std::string>& commands, const std::string& line)
{
	return static_cast<unsigned>(std::count(commands.begin(), commands.end(), line));
}


mail::RecipientResult sendOne(RelayTls mode, const FakeSmtpPeer& peer, TransactionResult& r)
/// One message to one recipient through a client with relay.tls = mode; its one result.
{
	RelayClient relay("exmail.qq.com", Seconds(2), Seconds(5), Seconds(0), 100, mail::makeRelayTlsPolicy(mode, ""));
	r = relay.send(peer.exchanger(), "a@x.example", {"u1@gmail.com"}, kMessage);
	BOOST_REQUIRE_EQUAL(r.recipients.size(), 1u);
	return r.recipients[0];
}


} // namespace


BOOST_AUTO_TEST_SUITE(relay_tls_tests)


BOOST_AUTO_TEST_CASE(opportunistic_handshake_failure_retries_the_exchanger_in_plaintext)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", offersStarttls);
	TransactionResult r;
	const mail::RecipientResult one = sendOne(RelayTls::Opportunistic, peer, r);
	BOOST_TEST((one.outcome == Outcome::Delivered), one.reply);
	BOOST_TEST(!r.tryNext);
	BOOST_TEST(r.tls.empty());
	BOOST_TEST(peer.connections() == 2u);
	BOOST_TEST(count(peer.commands(), "STARTTLS") == 1u); // not again on the plaintext retry
	BOOST_TEST(peer.messages() == 1u);
}


BOOST_AUTO_TEST_CASE(verify_defers_with_4_7_5_when_the_handshake_fails_and_does_not_fall_back)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", offersStarttls);
	TransactionResult r;
	const mail::RecipientResult one = sendOne(RelayTls::Verify, peer, r);
	BOOST_TEST((one.outcome == Outcome::Temporary));
	BOOST_TEST(one.status == "4.7.5");
	BOOST_TEST(one.reply.find("TLS") != std::string::npos, one.reply);
	BOOST_TEST(r.tryNext);
	BOOST_TEST(peer.connections() == 1u);
	BOOST_TEST(peer.messages() == 0u);
}


BOOST_AUTO_TEST_CASE(verify_defers_when_starttls_is_not_offered)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	TransactionResult r;
	const mail::RecipientResult one = sendOne(RelayTls::Verify, peer, r);
	BOOST_TEST(one.status == "4.7.5");
	BOOST_TEST(one.reply.find("not offered") != std::string::npos, one.reply);
	BOOST_TEST(count(peer.commands(), "STARTTLS") == 0u);
	BOOST_TEST(peer.messages() == 0u);
}


BOOST_AUTO_TEST_CASE(none_never_sends_starttls_even_when_offered)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", offersStarttls);
	TransactionResult r;
	const mail::RecipientResult one = sendOne(RelayTls::None, peer, r);
	BOOST_TEST((one.outcome == Outcome::Delivered));
	BOOST_TEST(count(peer.commands(), "STARTTLS") == 0u);
	BOOST_TEST(peer.connections() == 1u);
}


BOOST_AUTO_TEST_SUITE_END()
