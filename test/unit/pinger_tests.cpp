// pinger_tests.cpp - ping statistics and the summary lines.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "agent/icmp/pinger.h"

#include <sstream>


using namespace mail;


BOOST_AUTO_TEST_SUITE(pinger_tests)


BOOST_AUTO_TEST_CASE(summary_has_loss_and_rtt_rounded_to_two_decimals)
{
	PingStats stats;
	for (int i = 0; i < 3; ++i) stats.sent();
	stats.received(1.0);
	stats.received(2.0);
	stats.received(4.5);
	std::ostringstream out;
	stats.summary("host", out);
	BOOST_TEST(out.str() ==
		"--- host ping statistics ---\n"
		"3 packets transmitted, 3 received, 0% packet loss\n"
		"rtt min/avg/max/stdev = 1.00/2.50/4.50/1.47 ms\n");
}


BOOST_AUTO_TEST_CASE(loss_is_reported_and_no_rtt_line_without_replies)
{
	struct Row
	{
		unsigned sent;
		unsigned received;
		const char* line;
	};
	const Row rows[] = {
		{4, 3, "4 packets transmitted, 3 received, 25% packet loss\n"},
		{3, 2, "3 packets transmitted, 2 received, 33.3% packet loss\n"},
		{2, 0, "2 packets transmitted, 0 received, 100% packet loss\n"},
	};
	for (const auto& row: rows)
	{
		PingStats stats;
		for (unsigned i = 0; i < row.sent; ++i) stats.sent();
		for (unsigned i = 0; i < row.received; ++i) stats.received(0.5);
		std::ostringstream out;
		stats.summary("h", out);
		BOOST_CHECK_MESSAGE(out.str().find(row.line) != std::string::npos, out.str());
		BOOST_CHECK((out.str().find("rtt") != std::string::npos) == (row.received > 0));
	}
}


BOOST_AUTO_TEST_CASE(format_ms_rounds)
{
	BOOST_TEST(formatMs(0.0456) == "0.05");
	BOOST_TEST(formatMs(12.0) == "12.00");
	BOOST_TEST(formatMs(0.004) == "0.00");
}


BOOST_AUTO_TEST_SUITE_END()
