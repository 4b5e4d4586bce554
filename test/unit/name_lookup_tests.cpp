// name_lookup_tests.cpp - the SPEC.md address rule (P without A is 127.0.0.1) and resolveAddress().
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/lookup/name_lookup.h"
#include "test/unit/fake_lookup.h"

#include <Poco/Exception.h>

#include <vector>


BOOST_AUTO_TEST_SUITE(name_lookup_tests)


BOOST_AUTO_TEST_CASE(host_addresses_fall_back_to_localhost_only_for_p_names)
{
	using Addresses = std::vector<std::uint32_t>;
	const struct
	{
		const char* what;
		Addresses a;
		bool hasPort;
		Addresses want;
	} rows[] = {
		{"A and P", {0x0a000001u}, true, {0x0a000001u}},
		{"A only", {0x0a000001u, 0x0a000002u}, false, {0x0a000001u, 0x0a000002u}},
		{"P only", {}, true, {0x7f000001u}},
		{"neither", {}, false, {}},
	};
	for (const auto& row: rows)
	{
		const Addresses got = mail::hostAddresses(row.a, row.hasPort);
		BOOST_CHECK_MESSAGE(got == row.want, row.what << ": got " << got.size() << " addresses");
	}
}


BOOST_AUTO_TEST_CASE(resolve_address_over_any_lookup)
{
	mail::test::FakeLookup lookup;
	lookup.zone.a["far.example"] = {0x0a010203u, 0x0a010204u};
	lookup.zone.p["far.example"] = 2525;
	lookup.zone.p["smtp.gmail.com"] = 2025;
	lookup.zone.mx["mx-only.example"] = {{10, "far.example"}};
	lookup.zone.p["slow.example"] = 2025;
	lookup.slow = {"slow.example"};
	enum class Want
	{
		Address,
		NotFound,
		IoError
	};
	const struct
	{
		const char* name;
		Want want;
		const char* address;
	} rows[] = {
		{"far.example", Want::Address, "10.1.2.3"},
		{"smtp.gmail.com", Want::Address, "127.0.0.1"},
		{"mx-only.example", Want::NotFound, ""},
		{"nowhere.example", Want::NotFound, ""},
		{"slow.example", Want::IoError, ""},
	};
	for (const auto& row: rows)
	{
		Want got = Want::Address;
		std::string address;
		try
		{
			address = lookup.resolveAddress(row.name);
		}
		catch (const Poco::NotFoundException&)
		{
			got = Want::NotFound;
		}
		catch (const Poco::IOException&)
		{
			got = Want::IoError;
		}
		BOOST_CHECK_MESSAGE(got == row.want, row.name << ": outcome " << static_cast<int>(got));
		BOOST_CHECK_MESSAGE(address == row.address, row.name << ": got " << address << ", want " << row.address);
	}
}


BOOST_AUTO_TEST_SUITE_END()
