// retry_policy_tests.cpp - relay.retry waits (the last repeats) and relay.expire.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/retry_policy.h"

using mail::RelayConfig;
using mail::RetryPolicy;
using mail::Seconds;


BOOST_AUTO_TEST_SUITE(retry_policy_tests)


BOOST_AUTO_TEST_CASE(waits_follow_the_schedule_and_the_last_repeats)
{
	RelayConfig config;
	config.retry = {Seconds(60), Seconds(300), Seconds(600)};
	const RetryPolicy policy(config);
	const struct
	{
		unsigned attempts;
		long wait;
	} rows[] = {
		{0, 60},
		{1, 60},
		{2, 300},
		{3, 600},
		{4, 600},
		{1000, 600},
	};
	for (const auto& row: rows)
	{
		BOOST_CHECK_MESSAGE(policy.delayAfter(row.attempts).count() == row.wait,
			"after " << row.attempts << " attempts: " << policy.delayAfter(row.attempts).count() << " != " << row.wait);
	}
}


BOOST_AUTO_TEST_CASE(expiry_is_reached_exactly_at_expire)
{
	RelayConfig config;
	config.expire = Seconds(3600);
	const RetryPolicy policy(config);
	BOOST_TEST(!policy.expired(1000, 1000));
	BOOST_TEST(!policy.expired(1000, 4599));
	BOOST_TEST(policy.expired(1000, 4600));
	BOOST_TEST(policy.expired(1000, 99999));
}


BOOST_AUTO_TEST_CASE(next_attempt_never_passes_the_expiry_time)
{
	RelayConfig config;
	config.retry = {Seconds(60), Seconds(7200)};
	config.expire = Seconds(3600);
	const RetryPolicy policy(config);
	BOOST_TEST(policy.nextAttempt(1000, 1, 1000) == 1060);
	BOOST_TEST(policy.nextAttempt(1000, 2, 1060) == 4600); // 1060 + 7200 is past expiry
}


BOOST_AUTO_TEST_SUITE_END()
