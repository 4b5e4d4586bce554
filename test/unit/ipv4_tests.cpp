// ipv4_tests.cpp - the one IPv4 formatter shared by the resolver, the relay and ping/trace.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/base/ipv4.h"


BOOST_AUTO_TEST_SUITE(ipv4_tests)


BOOST_AUTO_TEST_CASE(ipv4_formatting)
{
	const struct
	{
		std::uint32_t address;
		const char* want;
	} rows[] = {
		{0x7f000001u, "127.0.0.1"},
		{0xfffffffeu, "255.255.255.254"},
		{0u, "0.0.0.0"},
		{0x0afa0202u, "10.250.2.2"},
	};
	for (const auto& row: rows)
		BOOST_CHECK_MESSAGE(mail::formatIpv4(row.address) == row.want, row.want << ": got " << mail::formatIpv4(row.address));
}


BOOST_AUTO_TEST_SUITE_END()
