// session_io_tests.cpp - SessionIo's reply buffer with attached texts: order, rollback, big sends.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/net/session_io.h"

#include <Poco/Logger.h>

#include <memory>
#include <string>
#include <thread>


namespace {


std::string receive(Poco::Net::StreamSocket& socket, std::size_t length)
/// Exactly length octets (the test fails on a shorter stream).
{
	std::string data(length, '\0');
	std::size_t have = 0;
	while (have < length)
	{
		const int n = socket.receiveBytes(&data[have], static_cast<int>(length - have));
		BOOST_REQUIRE(n > 0);
		have += static_cast<std::size_t>(n);
	}
	return data;
}


std::shared_ptr<const std::string> text(const std::string& content)
{
	return std::make_shared<const std::string>(content);
}


} // namespace


BOOST_AUTO_TEST_SUITE(session_io_tests)


BOOST_AUTO_TEST_CASE(attached_texts_go_out_in_order_between_the_buffer_s_pieces)
{
	mail::test::SocketPair pair;
	mail::SessionIo io(pair.server, "t-1", Poco::Logger::get("test"));
	io.send("+OK first");
	io.attach(text("BODY-1\r\n"));
	io.buffer() += ".\r\n";
	io.attach(text("")); // nothing to send: ignored
	io.attach(text("BODY-2\r\n"));
	io.attach(text("BODY-3\r\n")); // two texts in a row
	io.send("+OK last");
	const std::string expected = "+OK first\r\nBODY-1\r\n.\r\nBODY-2\r\nBODY-3\r\n+OK last\r\n";
	BOOST_TEST(io.queued() == expected.size());
	io.flush();
	BOOST_TEST(io.queued() == 0u);
	BOOST_TEST(receive(pair.client, expected.size()) == expected);
	// The next flush sends only what came after.
	io.send("+OK again");
	io.flush();
	BOOST_TEST(receive(pair.client, 11) == "+OK again\r\n");
}


BOOST_AUTO_TEST_CASE(rollback_drops_what_came_after_the_mark_attached_texts_included)
{
	mail::test::SocketPair pair;
	mail::SessionIo io(pair.server, "t-2", Poco::Logger::get("test"));
	io.attach(text("kept\r\n"));
	const mail::SessionIo::Mark mark = io.mark(); // after a text, at the same buffer size
	io.buffer() += "* 1 FETCH (BODY[] {4}\r\n";
	io.attach(text("gone"));
	io.buffer() += ")\r\n";
	io.rollback(mark);
	BOOST_TEST(io.queued() == 6u);
	io.send("A1 BAD bad section");
	io.flush();
	const std::string expected = "kept\r\nA1 BAD bad section\r\n";
	BOOST_TEST(receive(pair.client, expected.size()) == expected);
}


BOOST_AUTO_TEST_CASE(a_send_larger_than_the_socket_buffer_is_finished_piece_by_piece)
{
	// Partial sendmsg() results land inside and between pieces; more pieces than IOV_MAX.
	mail::test::SocketPair pair;
	mail::SessionIo io(pair.server, "t-3", Poco::Logger::get("test"));
	std::string expected;
	for (int i = 0; i < 1500; ++i)
	{
		const std::string line = "+OK " + std::to_string(i) + "\r\n";
		io.buffer() += line;
		const std::string body(1000 + static_cast<std::size_t>(i % 7) * 333, static_cast<char>('a' + i % 26));
		io.attach(text(body));
		expected += line + body;
	}
	std::string got;
	std::thread reader([&] { got = receive(pair.client, expected.size()); });
	io.flush();
	reader.join();
	BOOST_TEST(got.size() == expected.size());
	BOOST_TEST((got == expected));
}


BOOST_AUTO_TEST_SUITE_END()
