// dns_resolver_tests.cpp - the resolver against a fake UDP server: matching, timeouts, each reply status.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/dns/dns_message.h"
#include "common/lookup/dns_resolver.h"

#include <Poco/Exception.h>
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <thread>

using namespace mail;
using Bytes = std::vector<std::uint8_t>;
using Poco::Net::DatagramSocket;
using Poco::Net::SocketAddress;


namespace {


using Script = std::function<std::vector<Bytes>(const dns::Message& query)>;
/// The datagrams the fake server sends back for one query (possibly none).


class FakeDnsServer
/// A UDP server on a free loopback port that answers each query with a script.
{
public:
	explicit FakeDnsServer(Script script):
		_socket(SocketAddress("127.0.0.1", 0)),
		_script(std::move(script)),
		_thread([this] { run(); })
	{
	}

	~FakeDnsServer()
	{
		_stop = true;
		_thread.join();
	}

	std::uint16_t port() const { return _socket.address().port(); }
	unsigned queries() const { return _queries; }

private:
	void run()
	{
		std::uint8_t buffer[2048];
		while (!_stop)
		{
			if (!_socket.poll(Poco::Timespan(0, 20000), Poco::Net::Socket::SELECT_READ)) continue;
			SocketAddress from;
			const int size = _socket.receiveFrom(buffer, sizeof buffer, from);
			++_queries;
			const dns::Message query = dns::decodeMessage(buffer, static_cast<std::size_t>(size));
			for (const Bytes& reply: _script(query))
				_socket.sendTo(reply.data(), static_cast<int>(reply.size()), from);
		}
	}

	DatagramSocket _socket;
	Script _script;
	std::atomic<bool> _stop{false};
	std::atomic<unsigned> _queries{0};
	std::thread _thread;
};


dns::Message replyTo(const dns::Message& query, std::uint8_t rcode = dns::RcodeNoError)
{
	dns::Message reply;
	reply.header.id = query.header.id;
	reply.header.flags = static_cast<std::uint16_t>(dns::FlagQr | dns::FlagAa | rcode);
	reply.questions = query.questions;
	return reply;
}


dns::ResourceRecord rr(const dns::Message& query, std::uint16_t type, Bytes rdata)
{
	dns::ResourceRecord r;
	r.name = query.questions[0].name;
	r.type = type;
	r.ttl = 60;
	r.rdata = std::move(rdata);
	return r;
}


Bytes mx(std::uint16_t preference, const std::string& host)
{
	dns::WireName wire;
	dns::encodeName(host, wire);
	Bytes out(wire.length + 2);
	out[0] = std::uint8_t(preference >> 8);
	out[1] = std::uint8_t(preference);
	std::copy(wire.bytes, wire.bytes + wire.length, out.begin() + 2);
	return out;
}


Resolver resolverFor(const FakeDnsServer& server, int timeoutMs = 200, unsigned retries = 1)
{
	return Resolver("127.0.0.1", server.port(), std::chrono::milliseconds(timeoutMs), retries);
}


} // namespace


BOOST_AUTO_TEST_SUITE(dns_resolver_tests)


BOOST_AUTO_TEST_CASE(mx_sorted_by_preference_ties_in_server_order)
{
	FakeDnsServer server([](const dns::Message& q) {
		dns::Message r = replyTo(q);
		r.answers = {rr(q, dns::TypeMx, mx(20, "b.example")), rr(q, dns::TypeMx, mx(10, "a.example")),
			rr(q, dns::TypeMx, mx(20, "C.example."))};
		return std::vector<Bytes>{dns::encodeMessage(r)};
	});
	const auto result = resolverFor(server).mx("Gmail.com");
	BOOST_REQUIRE(result.ok());
	BOOST_REQUIRE(result.value.size() == 3u);
	BOOST_TEST(result.value[0].host == "a.example");
	BOOST_TEST(result.value[1].host == "b.example");
	BOOST_TEST(result.value[2].host == "c.example");
	BOOST_TEST(result.value[2].preference == 20);
}


BOOST_AUTO_TEST_CASE(statuses_from_rcode_and_answers)
{
	struct Row
	{
		const char* what;
		std::uint8_t rcode;
		bool answer;
		std::uint16_t flags;
		LookupStatus status;
	};
	const std::vector<Row> rows{
		{"answer", dns::RcodeNoError, true, 0, LookupStatus::Ok},
		{"nodata", dns::RcodeNoError, false, 0, LookupStatus::NoData},
		{"nxdomain", dns::RcodeNxDomain, false, 0, LookupStatus::NxDomain},
		{"servfail", dns::RcodeServFail, false, 0, LookupStatus::Failure},
		{"formerr", dns::RcodeFormErr, false, 0, LookupStatus::Failure},
		{"refused", dns::RcodeRefused, false, 0, LookupStatus::Failure},
	};
	for (const auto& row: rows)
	{
		FakeDnsServer server([&row](const dns::Message& q) {
			dns::Message r = replyTo(q, row.rcode);
			r.header.flags |= row.flags;
			if (row.answer) r.answers.push_back(rr(q, dns::TypeP, {0x07, 0xE9}));
			return std::vector<Bytes>{dns::encodeMessage(r)};
		});
		BOOST_TEST_CONTEXT(row.what)
		{
			const auto result = resolverFor(server).port("smtp.gmail.com");
			BOOST_TEST(toString(result.status) == toString(row.status));
			if (row.answer) BOOST_TEST(result.value == 2025);
			BOOST_TEST(server.queries() == 1u); // a definite reply is not retried
		}
	}
}


BOOST_AUTO_TEST_CASE(timeout_after_every_retry)
{
	FakeDnsServer server([](const dns::Message&) { return std::vector<Bytes>{}; });
	const auto start = std::chrono::steady_clock::now();
	const auto result = resolverFor(server, 100, 2).a("smtp.gmail.com");
	const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
	BOOST_TEST(toString(result.status) == toString(LookupStatus::Timeout));
	BOOST_TEST(server.queries() == 3u);
	BOOST_TEST(elapsed >= 300);
	BOOST_TEST(elapsed < 10000); // gave up: three waits, not more (a loaded machine stretches each)
}


BOOST_AUTO_TEST_CASE(strays_are_ignored_until_the_real_reply)
{
	FakeDnsServer server([](const dns::Message& q) {
		dns::Message wrongId = replyTo(q);
		wrongId.header.id = static_cast<std::uint16_t>(q.header.id + 1);
		wrongId.answers.push_back(rr(q, dns::TypeA, {10, 0, 0, 66}));
		dns::Message wrongQuestion = replyTo(q);
		wrongQuestion.questions[0].name = "other.example";
		wrongQuestion.answers.push_back(rr(wrongQuestion, dns::TypeA, {10, 0, 0, 67}));
		dns::Message notAnAnswer = replyTo(q);
		notAnAnswer.header.flags = 0; // QR clear: a query, not a reply
		Bytes shortJunk{std::uint8_t(q.header.id >> 8), std::uint8_t(q.header.id), 0x80};
		dns::Message good = replyTo(q);
		for (auto& c: good.questions[0].name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
		good.answers.push_back(rr(good, dns::TypeA, {10, 0, 0, 7}));
		return std::vector<Bytes>{dns::encodeMessage(wrongId), dns::encodeMessage(wrongQuestion),
			dns::encodeMessage(notAnAnswer), shortJunk, dns::encodeMessage(good)};
	});
	const auto result = resolverFor(server).a("far.example");
	BOOST_REQUIRE(result.ok());
	BOOST_REQUIRE(result.value.size() == 1u);
	BOOST_TEST(result.value[0] == 0x0A000007u);
}


BOOST_AUTO_TEST_CASE(wrong_id_only_times_out)
{
	FakeDnsServer server([](const dns::Message& q) {
		dns::Message r = replyTo(q);
		r.header.id = static_cast<std::uint16_t>(q.header.id ^ 0x5555);
		r.answers.push_back(rr(q, dns::TypeA, {10, 0, 0, 1}));
		return std::vector<Bytes>{dns::encodeMessage(r)};
	});
	const auto result = resolverFor(server, 100, 1).a("far.example");
	BOOST_TEST(toString(result.status) == toString(LookupStatus::Timeout));
	BOOST_TEST(server.queries() == 2u);
}


BOOST_AUTO_TEST_CASE(truncated_datagram_is_a_failure)
{
	FakeDnsServer server([](const dns::Message& q) {
		dns::Message r = replyTo(q);
		r.answers.push_back(rr(q, dns::TypeMx, mx(10, "gmail-smtp-in.l.google.com")));
		Bytes wire = dns::encodeMessage(r);
		wire.resize(wire.size() - 5);
		return std::vector<Bytes>{wire};
	});
	const auto result = resolverFor(server).mx("gmail.com");
	BOOST_TEST(toString(result.status) == toString(LookupStatus::Failure));
}


BOOST_AUTO_TEST_CASE(a_and_p_records_of_the_wrong_size_are_a_failure_not_read_past_their_end)
{
	FakeDnsServer server([](const dns::Message& q) {
		dns::Message r = replyTo(q);
		if (q.questions[0].type == dns::TypeP) r.answers.push_back(rr(q, dns::TypeP, {0x07}));
		if (q.questions[0].type == dns::TypeA) r.answers.push_back(rr(q, dns::TypeA, {10, 1, 2}));
		return std::vector<Bytes>{dns::encodeMessage(r)};
	});
	const Resolver resolver = resolverFor(server);
	BOOST_TEST(toString(resolver.port("smtp.gmail.com").status) == toString(LookupStatus::Failure));
	BOOST_TEST(toString(resolver.a("far.example").status) == toString(LookupStatus::Failure));
}


BOOST_AUTO_TEST_CASE(resolve_address_prefers_a_then_p_means_localhost)
{
	FakeDnsServer server([](const dns::Message& q) {
		const std::string& name = q.questions[0].name;
		const std::uint16_t type = q.questions[0].type;
		dns::Message r = replyTo(q, name == "nowhere.example" ? dns::RcodeNxDomain : dns::RcodeNoError);
		if (name == "far.example" && type == dns::TypeA) r.answers.push_back(rr(q, dns::TypeA, {10, 1, 2, 3}));
		if (name == "smtp.gmail.com" && type == dns::TypeP) r.answers.push_back(rr(q, dns::TypeP, {0x07, 0xE9}));
		return std::vector<Bytes>{dns::encodeMessage(r)};
	});
	const Resolver resolver = resolverFor(server);
	BOOST_TEST(resolver.resolveAddress("far.example") == "10.1.2.3");
	BOOST_TEST(resolver.resolveAddress("smtp.gmail.com") == "127.0.0.1");
	BOOST_CHECK_THROW(resolver.resolveAddress("nowhere.example"), Poco::Exception);
	BOOST_CHECK_THROW(resolver.resolveAddress("mx-only.example"), Poco::Exception);
}


BOOST_AUTO_TEST_CASE(invalid_name_fails_without_asking)
{
	FakeDnsServer server([](const dns::Message&) { return std::vector<Bytes>{}; });
	const auto result = resolverFor(server).mx("a..b");
	BOOST_TEST(toString(result.status) == toString(LookupStatus::Failure));
	BOOST_TEST(server.queries() == 0u);
}


BOOST_AUTO_TEST_CASE(no_servers_is_a_failure_not_a_crash)
{
	const Resolver resolver(std::vector<DnsServerAddress>{}, std::chrono::milliseconds(100), 1);
	BOOST_TEST(toString(resolver.mx("gmail.com").status) == toString(LookupStatus::Failure));
}


BOOST_AUTO_TEST_SUITE_END()
