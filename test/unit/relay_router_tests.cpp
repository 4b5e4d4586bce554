// relay_router_tests.cpp - MX -> P -> A resolution and its temporary/permanent outcomes.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/relay_router.h"
#include "test/unit/fake_lookup.h"

using mail::RelayRouter;
using mail::Route;
using mail::RouteStatus;


namespace {


using mail::test::FakeLookup;


std::string targets(const Route& route)
{
	std::string out;
	for (const auto& e: route.exchangers) out += (out.empty() ? "" : " ") + e.describe();
	return out;
}


FakeLookup demoZone()
{
	FakeLookup f;
	f.zone.mx["gmail.com"] = {{5, "mx1.gmail.com"}, {10, "mx2.gmail.com"}, {20, "mx3.gmail.com"}};
	f.zone.p["mx1.gmail.com"] = 2025;
	f.zone.p["mx2.gmail.com"] = 2026;
	f.zone.a["mx2.gmail.com"] = {0x0afb0002u, 0x0afb0003u};
	// mx3.gmail.com: no P record, so unusable
	f.zone.p["direct.example"] = 2500; // no MX: the domain itself
	f.zone.mx["noport.example"] = {{10, "mx.noport.example"}};
	f.zone.a["mx.noport.example"] = {0x7f000001u};
	f.zone.mx["slowmx.example"] = {{10, "slow.example"}};
	f.zone.p["slow.example"] = 2500;
	f.slow = {"slowdomain.example", "slow.example"};
	f.zone.mx["self.example"] = {{10, "me.example"}};
	f.zone.p["me.example"] = 1025;
	f.zone.mx["selfandother.example"] = {{10, "me.example"}, {20, "mx1.gmail.com"}};
	return f;
}


} // namespace


BOOST_AUTO_TEST_SUITE(relay_router_tests)


BOOST_AUTO_TEST_CASE(routes_by_preference_with_ports_and_addresses)
{
	const FakeLookup lookup = demoZone();
	const struct
	{
		const char* domain;
		RouteStatus status;
		const char* targets;
		const char* status3463;
	} rows[] = {
		{"gmail.com", RouteStatus::Ok,
			"mx1.gmail.com[127.0.0.1]:2025 mx2.gmail.com[10.251.0.2]:2026 mx2.gmail.com[10.251.0.3]:2026", ""},
		{"GMAIL.COM.", RouteStatus::Ok,
			"mx1.gmail.com[127.0.0.1]:2025 mx2.gmail.com[10.251.0.2]:2026 mx2.gmail.com[10.251.0.3]:2026", ""},
		{"direct.example", RouteStatus::Ok, "direct.example[127.0.0.1]:2500", ""},
		{"unknown.invalid", RouteStatus::Permanent, "", "5.1.2"},
		{"noport.example", RouteStatus::Permanent, "", "5.4.4"},
		{"slowdomain.example", RouteStatus::Temporary, "", "4.4.3"},
		{"slowmx.example", RouteStatus::Temporary, "", "4.4.3"},
		{"self.example", RouteStatus::Permanent, "", "5.4.6"},
		{"selfandother.example", RouteStatus::Ok, "mx1.gmail.com[127.0.0.1]:2025", ""},
	};
	const RelayRouter router(lookup, "127.0.0.1", 1025);
	for (const auto& row: rows)
	{
		const Route route = router.route(row.domain);
		BOOST_CHECK_MESSAGE(route.status == row.status, row.domain << ": status " << static_cast<int>(route.status));
		BOOST_CHECK_MESSAGE(targets(route) == row.targets, row.domain << ": targets " << targets(route));
		BOOST_CHECK_MESSAGE(route.status3463 == row.status3463, row.domain << ": " << route.status3463);
		if (route.status != RouteStatus::Ok) BOOST_CHECK_MESSAGE(!route.diagnostic.empty(), row.domain);
	}
}


BOOST_AUTO_TEST_SUITE_END()
