// tcp_listener_tests.cpp - admission limits and shutdown of TcpListener on a loopback port.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/base/line_reader.h"
#include "server/net/tcp_listener.h"

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <thread>

using mail::TcpListener;


namespace {


/// Echoes "hello" then waits for a line or the end of the connection.
struct EchoRunner
{
	std::atomic<int> started{0};
	std::atomic<int> finished{0};

	void operator()(Poco::Net::StreamSocket& socket, const std::string&)
	{
		++started;
		socket.sendBytes("hello\r\n", 7);
		mail::LineReader reader(socket);
		std::string line;
		reader.readLine(line, 100, Poco::Timespan(30, 0));
		++finished;
	}
};


std::string readAll(Poco::Net::StreamSocket& socket)
{
	socket.setReceiveTimeout(Poco::Timespan(5, 0));
	std::string out;
	char buf[256];
	int n;
	while ((n = socket.receiveBytes(buf, sizeof buf)) > 0)
	{
		out.append(buf, static_cast<std::size_t>(n));
		if (out.find('\n') != std::string::npos) break;
	}
	return out;
}


template <typename Predicate>
bool waitFor(Predicate predicate)
{
	for (int i = 0; i < 500; ++i)
	{
		if (predicate()) return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	return false;
}


} // namespace


BOOST_AUTO_TEST_SUITE(tcp_listener_tests)


BOOST_AUTO_TEST_CASE(per_ip_limit_answers_busy_before_greeting)
{
	mail::Limits limits;
	limits.maxSessions = 10;
	limits.maxSessionsPerIp = 2;
	EchoRunner runner;
	TcpListener listener("test", "127.0.0.1", 0, limits, std::ref(runner), "421 busy\r\n");
	listener.start();
	const Poco::Net::SocketAddress address("127.0.0.1", listener.port());

	// Sessions start in any order: two of three get the greeting, one the busy reply.
	Poco::Net::StreamSocket a(address);
	BOOST_TEST(readAll(a) == "hello\r\n");
	Poco::Net::StreamSocket b(address);
	BOOST_TEST(readAll(b) == "hello\r\n");
	Poco::Net::StreamSocket c(address);
	BOOST_TEST(readAll(c) == "421 busy\r\n");
	BOOST_TEST(listener.activeSessions() == 2u);

	a.close(); // frees one place
	BOOST_TEST(waitFor([&] { return listener.activeSessions() == 1; }));
	Poco::Net::StreamSocket d(address);
	BOOST_TEST(readAll(d) == "hello\r\n");
	listener.stop();
	BOOST_TEST(runner.finished.load() == runner.started.load());
}


BOOST_AUTO_TEST_CASE(total_limit)
{
	mail::Limits limits;
	limits.maxSessions = 1;
	limits.maxSessionsPerIp = 10;
	EchoRunner runner;
	TcpListener listener("test", "127.0.0.1", 0, limits, std::ref(runner), "-ERR busy\r\n");
	listener.start();
	const Poco::Net::SocketAddress address("127.0.0.1", listener.port());
	Poco::Net::StreamSocket a(address);
	BOOST_TEST(readAll(a) == "hello\r\n");
	Poco::Net::StreamSocket b(address);
	BOOST_TEST(readAll(b) == "-ERR busy\r\n");
	listener.stop();
}


BOOST_AUTO_TEST_CASE(stop_ends_blocked_sessions_promptly)
{
	mail::Limits limits;
	EchoRunner runner;
	TcpListener listener("test", "127.0.0.1", 0, limits, std::ref(runner), "421 busy\r\n");
	listener.start();
	const Poco::Net::SocketAddress address("127.0.0.1", listener.port());
	Poco::Net::StreamSocket a(address), b(address);
	BOOST_TEST(readAll(a) == "hello\r\n");
	BOOST_TEST(readAll(b) == "hello\r\n");
	const auto started = std::chrono::steady_clock::now();
	listener.stop();
	BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(3)));
	BOOST_TEST(runner.finished.load() == 2);
	BOOST_TEST(listener.activeSessions() == 0u);
}


BOOST_AUTO_TEST_CASE(port_in_use_throws)
{
	mail::Limits limits;
	EchoRunner runner;
	TcpListener first("test", "127.0.0.1", 0, limits, std::ref(runner), "");
	first.start();
	TcpListener second("test", "127.0.0.1", first.port(), limits, std::ref(runner), "");
	BOOST_CHECK_THROW(second.start(), Poco::Exception);
	first.stop();
}


BOOST_AUTO_TEST_SUITE_END()
