// dns_server_tests.cpp - the UDP workers end to end with the resolver, and zone swaps under load.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "dns/dns_server.h"
#include "common/lookup/dns_resolver.h"

#include <Poco/Net/DatagramSocket.h>

#include <atomic>
#include <thread>

using namespace mail;


namespace {


std::shared_ptr<const dns::ZoneIndex> zoneWithPort(std::uint16_t port)
{
	Zone zone;
	zone.mx["gmail.com"] = {{10, "gmail-smtp-in.l.google.com"}};
	zone.p["smtp.gmail.com"] = port;
	return std::make_shared<const dns::ZoneIndex>(zone);
}


} // namespace


BOOST_AUTO_TEST_SUITE(dns_server_tests)


BOOST_AUTO_TEST_CASE(answers_over_udp)
{
	dns::DnsServer server(Poco::Net::SocketAddress("127.0.0.1", 0), 2, zoneWithPort(2025));
	server.start();
	const Resolver resolver("127.0.0.1", server.address().port(), std::chrono::milliseconds(1000), 1);
	const auto mx = resolver.mx("GMAIL.com");
	BOOST_REQUIRE(mx.ok());
	BOOST_TEST(mx.value.front().host == "gmail-smtp-in.l.google.com");
	BOOST_TEST(resolver.port("smtp.gmail.com").value == 2025);
	BOOST_TEST(resolver.resolveAddress("smtp.gmail.com") == "127.0.0.1");
	BOOST_TEST(toString(resolver.mx("nosuch.example").status) == toString(LookupStatus::NxDomain));
	BOOST_TEST(toString(resolver.mx("smtp.gmail.com").status) == toString(LookupStatus::NoData));
	server.stop();
	server.stop();
	BOOST_TEST(server.queries() == 5u);
}


BOOST_AUTO_TEST_CASE(busy_polling_workers_answer_and_stop)
{
	// With busy polling a worker that finds its socket empty polls again before it sleeps:
	// answers come as before, a worker idle past the poll still wakes for a query, stop() ends it.
	dns::DnsServer server(Poco::Net::SocketAddress("127.0.0.1", 0), 2, zoneWithPort(2025));
	server.setBusyPoll(std::chrono::microseconds(1000));
	server.start();
	const Resolver resolver("127.0.0.1", server.address().port(), std::chrono::milliseconds(1000), 1);
	for (int i = 0; i < 50; ++i) BOOST_TEST(resolver.port("smtp.gmail.com").value == 2025);
	std::this_thread::sleep_for(std::chrono::milliseconds(5)); // past the poll: the workers sleep in recvmmsg
	BOOST_TEST(resolver.port("smtp.gmail.com").value == 2025);
	server.stop();
	BOOST_TEST(server.queries() == 51u);
}


BOOST_AUTO_TEST_CASE(srv_records_lowest_priority_first)
{
	Zone zone;
	zone.srv["_imap._tcp.gmail.com"] = {{20, 1, 2144, "backup.gmail.com"}, {10, 1, 2143, "imap.gmail.com"}};
	dns::DnsServer server(Poco::Net::SocketAddress("127.0.0.1", 0), 1, std::make_shared<const dns::ZoneIndex>(zone));
	server.start();
	const Resolver resolver("127.0.0.1", server.address().port(), std::chrono::milliseconds(1000), 1);
	const auto srv = resolver.srv("_IMAP._tcp.gmail.com");
	BOOST_REQUIRE(srv.ok());
	BOOST_REQUIRE(srv.value.size() == 2u);
	BOOST_TEST(srv.value[0].port == 2143);
	BOOST_TEST(srv.value[0].target == "imap.gmail.com");
	BOOST_TEST(srv.value[1].target == "backup.gmail.com");
	BOOST_TEST(toString(resolver.srv("_imaps._tcp.gmail.com").status) == toString(LookupStatus::NxDomain));
	server.stop();
}


BOOST_AUTO_TEST_CASE(zone_swap_while_answering)
{
	dns::DnsServer server(Poco::Net::SocketAddress("127.0.0.1", 0), 2, zoneWithPort(1000));
	server.start();
	std::atomic<bool> done{false};
	std::atomic<unsigned> bad{0};
	std::thread client([&] {
		const Resolver resolver("127.0.0.1", server.address().port(), std::chrono::milliseconds(1000), 2);
		while (!done)
		{
			const auto port = resolver.port("smtp.gmail.com");
			if (!port.ok() || port.value < 1000 || port.value > 1050) ++bad;
		}
	});
	for (std::uint16_t p = 1001; p <= 1050; ++p) server.setZone(zoneWithPort(p));
	const Resolver resolver("127.0.0.1", server.address().port(), std::chrono::milliseconds(1000), 2);
	for (int i = 0; i < 20; ++i) // every worker, idle or not, answers from the new zone at once
		BOOST_TEST(resolver.port("smtp.gmail.com").value == 1050);
	done = true;
	client.join();
	BOOST_TEST(bad == 0u);
}


BOOST_AUTO_TEST_CASE(bind_conflict_throws)
{
	// Neither a plain socket nor another server (with SO_REUSEPORT) may be silently shared.
	Poco::Net::DatagramSocket holder(Poco::Net::SocketAddress("127.0.0.1", 0));
	dns::DnsServer second(holder.address(), 1, zoneWithPort(1));
	BOOST_CHECK_THROW(second.start(), Poco::IOException);
	dns::DnsServer first(Poco::Net::SocketAddress("127.0.0.1", 0), 2, zoneWithPort(1));
	first.start();
	dns::DnsServer third(first.address(), 1, zoneWithPort(1));
	BOOST_CHECK_THROW(third.start(), Poco::IOException);
}


BOOST_AUTO_TEST_SUITE_END()
