// relay_dns_cache_tests.cpp - MX/P/A answers cached for their TTL, negative ones too, failures not.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/dns_cache.h"
#include "server/relay/relay_router.h"
#include "test/unit/fake_lookup.h"

#include <atomic>
#include <chrono>
#include <thread>

using mail::CachingLookup;
using mail::LookupResult;
using mail::LookupStatus;
using mail::MxRecord;


namespace {


class CountingLookup: public mail::test::FakeLookup
/// The fake zone with a TTL on every answer, counting the queries that reach it.
{
public:
	std::uint32_t ttl = 60;
	mutable std::atomic<unsigned> queries{0};

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override { return counted(FakeLookup::mx(name)); }
	LookupResult<std::uint16_t> port(const std::string& name) const override { return counted(FakeLookup::port(name)); }
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override { return counted(FakeLookup::a(name)); }

private:
	template <typename T>
	LookupResult<T> counted(LookupResult<T> result) const
	{
		++queries;
		if (!mail::isTemporary(result.status)) result.ttl = ttl;
		return result;
	}
};


} // namespace


BOOST_AUTO_TEST_SUITE(relay_dns_cache_tests)


BOOST_AUTO_TEST_CASE(a_thousand_routes_to_one_domain_ask_three_queries)
{
	CountingLookup upstream;
	upstream.zone.mx["gmail.com"] = {{10, "mx.gmail.com"}};
	upstream.zone.p["mx.gmail.com"] = 2025;
	upstream.zone.a["mx.gmail.com"] = {0x7F000001};
	CachingLookup cache(upstream);
	mail::RelayRouter router(cache, "127.0.0.1", 25);
	for (int i = 0; i < 1000; ++i)
	{
		const mail::Route route = router.route("gmail.com");
		BOOST_REQUIRE(route.exchangers.size() == 1u);
		BOOST_REQUIRE(route.exchangers[0].port == 2025);
	}
	BOOST_TEST(upstream.queries.load() == 3u); // MX, P, A once each
}


BOOST_AUTO_TEST_CASE(negative_answers_are_cached_and_failures_are_not)
{
	CountingLookup upstream;
	upstream.zone.mx["gmail.com"] = {{10, "mx.gmail.com"}};
	upstream.slow.insert("slow.example");
	CachingLookup cache(upstream);
	for (int i = 0; i < 10; ++i)
	{
		BOOST_TEST((cache.mx("nowhere.example").status == LookupStatus::NxDomain));
		BOOST_TEST((cache.a("gmail.com").status == LookupStatus::NoData));
	}
	BOOST_TEST(upstream.queries.load() == 2u);
	for (int i = 0; i < 10; ++i) BOOST_TEST((cache.mx("slow.example").status == LookupStatus::Timeout));
	BOOST_TEST(upstream.queries.load() == 12u);
}


BOOST_AUTO_TEST_CASE(an_answer_is_asked_again_after_its_ttl_and_a_zero_ttl_is_not_kept)
{
	for (const std::uint32_t ttl: {1u, 0u})
	{
		CountingLookup upstream;
		upstream.ttl = ttl;
		upstream.zone.p["mx.gmail.com"] = 2025;
		CachingLookup cache(upstream);
		BOOST_TEST(cache.port("mx.gmail.com").value == 2025);
		BOOST_TEST(cache.port(ttl ? "MX.Gmail.com" : "mx.gmail.com").value == 2025); // cached names ignore case
		BOOST_TEST(upstream.queries.load() == (ttl ? 1u : 2u));
		std::this_thread::sleep_for(std::chrono::milliseconds(ttl * 1100));
		BOOST_TEST(cache.port("mx.gmail.com").value == 2025);
		BOOST_TEST(upstream.queries.load() == (ttl ? 2u : 3u));
	}
}


BOOST_AUTO_TEST_SUITE_END()
