// mail_date_tests.cpp - the one RFC 5322 date formatter used by trace headers, DSNs and the agent.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/mail/mail_date.h"

#include <Poco/Timestamp.h>


BOOST_AUTO_TEST_SUITE(mail_date_tests)


BOOST_AUTO_TEST_CASE(utc_numeric_zone_no_leading_zero_day)
{
	const struct
	{
		std::time_t unixSeconds;
		Poco::Timestamp::TimeDiff extraMicroseconds;
		const char* want;
	} rows[] = {
		{0, 0, "Thu, 1 Jan 1970 00:00:00 +0000"},
		{1795312378, 0, "Sun, 22 Nov 2026 01:52:58 +0000"},
		{1795312378, 999999, "Sun, 22 Nov 2026 01:52:58 +0000"}, // fractions are dropped, not rounded
		{951782400, 0, "Tue, 29 Feb 2000 00:00:00 +0000"},
		{1798761599, 0, "Thu, 31 Dec 2026 23:59:59 +0000"},
	};
	for (const auto& row: rows)
	{
		const std::string got = mail::rfc5322Date(Poco::Timestamp::fromEpochTime(row.unixSeconds) + row.extraMicroseconds);
		BOOST_CHECK_MESSAGE(got == row.want, row.unixSeconds << ": got " << got << ", want " << row.want);
	}
}


BOOST_AUTO_TEST_SUITE_END()
