// dns_tcp_tests.cpp - DNS over TCP: TC over UDP, the resolver's TCP fallback and failover, pipelining, hostile input.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/dns/dns_message.h"
#include "common/lookup/dns_resolver.h"
#include "dns/dns_server.h"
#include "dns/tcp_server.h"

#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <thread>

using namespace mail;
using Bytes = std::vector<std::uint8_t>;
using Poco::Net::SocketAddress;
using Poco::Net::StreamSocket;


namespace {


const std::size_t ManyExchangers = 40;


std::shared_ptr<const dns::ZoneIndex> bigZone()
/// big.example has 40 exchangers with long names: far more than 1232 octets.
{
	Zone zone;
	for (std::size_t i = 0; i < ManyExchangers; ++i)
		zone.mx["big.example"].push_back({static_cast<std::uint16_t>(10 + i),
			"exchanger-number-" + std::to_string(i) + ".with-a-rather-long-name.big.example"});
	zone.p["smtp.big.example"] = 2525;
	return std::make_shared<const dns::ZoneIndex>(zone);
}


Bytes framed(const Bytes& message)
{
	Bytes out{std::uint8_t(message.size() >> 8), std::uint8_t(message.size())};
	out.insert(out.end(), message.begin(), message.end());
	return out;
}


Bytes readFramed(StreamSocket& socket)
/// One length-prefixed message; empty when the server closed the connection.
{
	std::uint8_t prefix[2];
	std::size_t have = 0;
	while (have < 2)
	{
		const int n = socket.receiveBytes(prefix + have, static_cast<int>(2 - have));
		if (n <= 0) return {};
		have += static_cast<std::size_t>(n);
	}
	Bytes message(static_cast<std::size_t>((prefix[0] << 8) | prefix[1]));
	have = 0;
	while (have < message.size())
	{
		const int n = socket.receiveBytes(message.data() + have, static_cast<int>(message.size() - have));
		if (n <= 0) return {};
		have += static_cast<std::size_t>(n);
	}
	return message;
}


StreamSocket connectTo(const SocketAddress& address)
{
	StreamSocket socket(address);
	socket.setReceiveTimeout(Poco::Timespan(5, 0));
	return socket;
}


bool closedByServer(StreamSocket& socket)
/// True when the server closes (EOF or reset) within the receive timeout.
{
	std::uint8_t byte;
	try
	{
		return socket.receiveBytes(&byte, 1) == 0;
	}
	catch (const Poco::TimeoutException&)
	{
		return false;
	}
	catch (const Poco::Exception&)
	{
		return true; // reset
	}
}


long msSince(std::chrono::steady_clock::time_point start)
{
	return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}


// datagramsWaiting: how many datagrams wait unread on the socket (each is read and dropped).
int datagramsWaiting(Poco::Net::DatagramSocket& socket)
{
	int count = 0;
	char buffer[1500];
	while (socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ))
	{
		socket.receiveBytes(buffer, sizeof buffer);
		++count;
	}
	return count;
}


bool waitFor(const std::function<bool()>& condition)
{
	for (int i = 0; i < 250 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
	return condition();
}


} // namespace


BOOST_AUTO_TEST_SUITE(dns_tcp_tests)


BOOST_AUTO_TEST_CASE(udp_answer_too_large_is_truncated_and_tcp_has_it_all)
{
	dns::DnsServer server(SocketAddress("127.0.0.1", 0), 1, bigZone());
	server.start();
	Poco::Net::DatagramSocket udp;
	udp.connect(server.address());
	const Bytes query = dns::encodeQuery(7, "big.example", dns::TypeMx, true);
	udp.sendBytes(query.data(), static_cast<int>(query.size()));
	std::uint8_t buffer[4096];
	udp.setReceiveTimeout(Poco::Timespan(5, 0));
	const int size = udp.receiveBytes(buffer, sizeof buffer);
	const dns::Message cut = dns::decodeMessage(buffer, static_cast<std::size_t>(size));
	BOOST_TEST((cut.header.flags & dns::FlagTc) != 0);
	BOOST_TEST(cut.answers.empty()); // whole RRsets only: none rather than part
	BOOST_TEST(size <= int(dns::EdnsUdpSize));

	StreamSocket tcp = connectTo(server.address());
	const Bytes request = framed(query);
	tcp.sendBytes(request.data(), static_cast<int>(request.size()));
	const Bytes whole = readFramed(tcp);
	const dns::Message all = dns::decodeMessage(whole.data(), whole.size());
	BOOST_TEST((all.header.flags & dns::FlagTc) == 0);
	BOOST_TEST(all.answers.size() == ManyExchangers);
	BOOST_TEST(whole.size() > dns::EdnsUdpSize);

	const Resolver resolver("127.0.0.1", server.address().port(), std::chrono::milliseconds(2000), 1);
	const auto mx = resolver.mx("big.example");
	BOOST_REQUIRE(mx.ok());
	BOOST_TEST(mx.value.size() == ManyExchangers);
	BOOST_TEST(mx.value.back().host == "exchanger-number-39.with-a-rather-long-name.big.example");
}


BOOST_AUTO_TEST_CASE(pipelined_queries_answered_in_order_on_one_connection)
{
	dns::DnsServer server(SocketAddress("127.0.0.1", 0), 1, bigZone());
	server.start();
	StreamSocket tcp = connectTo(server.address());
	Bytes burst;
	for (std::uint16_t id = 1; id <= 20; ++id)
	{
		const Bytes q = framed(dns::encodeQuery(id, id % 2 ? "smtp.big.example" : "big.example", id % 2 ? dns::TypeP : dns::TypeMx, false));
		burst.insert(burst.end(), q.begin(), q.end());
	}
	tcp.sendBytes(burst.data(), static_cast<int>(burst.size()));
	for (std::uint16_t id = 1; id <= 20; ++id)
	{
		const Bytes reply = readFramed(tcp);
		BOOST_REQUIRE(!reply.empty());
		const dns::Message m = dns::decodeMessage(reply.data(), reply.size());
		BOOST_TEST(m.header.id == id);
		BOOST_TEST(m.answers.size() == (id % 2 ? 1u : ManyExchangers));
	}
	BOOST_TEST(server.tcp().queries() == 20u);
}


BOOST_AUTO_TEST_CASE(hostile_input_closes_the_connection_and_nothing_stays_open)
{
	dns::DnsServer server(SocketAddress("127.0.0.1", 0), 1, bigZone());
	server.start();
	const Bytes good = dns::encodeQuery(9, "big.example", dns::TypeMx, false);
	struct Row
	{
		const char* what;
		Bytes bytes;
	};
	const std::vector<Row> rows{
		{"zero length", {0x00, 0x00}},
		{"huge length", {0xFF, 0xFF, 0x00, 0x01, 0x02}},
		{"length above the query limit", {0x10, 0x01}},
		{"shorter than a header", {0x00, 0x05, 1, 2, 3, 4, 5}},
		{"an answer, not a query", framed(Bytes{0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
	};
	for (const auto& row: rows)
	{
		BOOST_TEST_CONTEXT(row.what)
		{
			StreamSocket tcp = connectTo(server.address());
			tcp.sendBytes(row.bytes.data(), static_cast<int>(row.bytes.size()));
			BOOST_TEST(closedByServer(tcp));
		}
	}
	// A length promising more than arrives, then the client leaves: nothing is kept.
	{
		StreamSocket tcp = connectTo(server.address());
		const Bytes partial{0x00, 0x40, 1, 2, 3};
		tcp.sendBytes(partial.data(), static_cast<int>(partial.size()));
	}
	BOOST_TEST(waitFor([&] { return server.tcp().connections() == 0; }));
	// The server still answers after all that.
	StreamSocket tcp = connectTo(server.address());
	const Bytes request = framed(good);
	tcp.sendBytes(request.data(), static_cast<int>(request.size()));
	BOOST_TEST(readFramed(tcp).size() > dns::EdnsUdpSize);
}


BOOST_AUTO_TEST_CASE(slowloris_is_closed_by_the_idle_timeout)
{
	const auto zone = bigZone();
	// NOLINTNEXTLINE(performance-no-automatic-move): zone is captured, each call hands out a copy
	dns::TcpServer slow([&zone] { return zone; }, std::chrono::milliseconds(600));
	slow.start(SocketAddress("127.0.0.1", 0));
	StreamSocket tcp = connectTo(slow.address());
	const Bytes request = framed(dns::encodeQuery(3, "big.example", dns::TypeMx, false));
	const auto start = std::chrono::steady_clock::now();
	bool closed = false;
	for (std::size_t i = 0; i < request.size() && !closed; ++i)
	{
		try
		{
			tcp.sendBytes(&request[i], 1); // one octet every 200 ms: never a whole query in time
		}
		catch (const Poco::Exception&)
		{
			closed = true;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		closed = closed || slow.connections() == 0;
	}
	BOOST_TEST(closed);
	BOOST_TEST(msSince(start) < 5000);
	BOOST_TEST(slow.queries() == 0u);
}


BOOST_AUTO_TEST_CASE(connections_beyond_the_limit_are_closed_at_once)
{
	const auto zone = bigZone();
	// NOLINTNEXTLINE(performance-no-automatic-move): zone is captured, each call hands out a copy
	dns::TcpServer server([&zone] { return zone; }, std::chrono::milliseconds(10000), 2);
	server.start(SocketAddress("127.0.0.1", 0));
	const SocketAddress address = server.address();
	StreamSocket first = connectTo(address);
	StreamSocket second = connectTo(address);
	BOOST_TEST(waitFor([&] { return server.connections() == 2; }));
	StreamSocket third = connectTo(address);
	BOOST_TEST(closedByServer(third));
	// The two admitted ones still work.
	const Bytes request = framed(dns::encodeQuery(5, "smtp.big.example", dns::TypeP, false));
	second.sendBytes(request.data(), static_cast<int>(request.size()));
	BOOST_TEST(readFramed(second).size() > dns::HeaderSize);
}


BOOST_AUTO_TEST_CASE(resolver_fails_over_to_the_next_server)
{
	dns::DnsServer server(SocketAddress("127.0.0.1", 0), 1, bigZone());
	server.start();
	Poco::Net::DatagramSocket silent(SocketAddress("127.0.0.1", 0)); // bound, never answers
	Poco::Net::DatagramSocket closing(SocketAddress("127.0.0.1", 0));
	const std::uint16_t closedPort = closing.address().port();
	closing.close(); // nothing listens there any more
	const std::vector<DnsServerAddress> servers{{"127.0.0.1", silent.address().port()}, {"127.0.0.1", closedPort},
		{"127.0.0.1", server.address().port()}};
	const Resolver resolver(servers, std::chrono::milliseconds(300), 1);
	const auto start = std::chrono::steady_clock::now();
	const auto port = resolver.port("smtp.big.example");
	const long elapsed = msSince(start);
	BOOST_REQUIRE(port.ok());
	BOOST_TEST(port.value == 2525);
	BOOST_TEST(elapsed >= 300); // waited for the silent one, once
	BOOST_TEST(elapsed < 10000);
	BOOST_TEST(datagramsWaiting(silent) == 1);
	const auto mx = resolver.mx("big.example"); // TC from the third, then TCP to the third
	BOOST_REQUIRE(mx.ok());
	BOOST_TEST(mx.value.size() == ManyExchangers);
	// NOLINTNEXTLINE(performance-unnecessary-copy-initialization): the copy is what is tested
	const Resolver copy = resolver; // copies (the relay's, a test's) share what they learnt
	BOOST_TEST(copy.port("smtp.big.example").ok());
	// The one that answered is asked first now: the silent one heard nothing more (a
	// datagram sent on loopback is queued before sendto returns, so none can be on its way).
	BOOST_TEST(datagramsWaiting(silent) == 0);
}


BOOST_AUTO_TEST_SUITE_END()
