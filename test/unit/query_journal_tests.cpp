// query_journal_tests.cpp - mail-dns's dns.query sampling: at most kPerSecond per thread,
// a batch admitted as a whole, every reply either recorded or counted as sampled out.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/journal/journal.h"
#include "dns/query_journal.h"

#include <netinet/in.h>

#include <thread>

using namespace mail;


BOOST_AUTO_TEST_SUITE(query_journal_tests)


BOOST_AUTO_TEST_CASE(a_batch_is_admitted_up_to_the_bucket_and_the_rest_counted)
{
	// Run in a thread of its own: the bucket is per thread and starts empty there.
	std::thread([] {
		Journal journal("mail-dns", 1000);
		dns::QueryJournal queries(journal);
		const std::size_t asked = dns::QueryJournal::kPerSecond + 57;
		const std::size_t admitted = queries.admit(asked);
		BOOST_TEST(admitted == std::size_t{dns::QueryJournal::kPerSecond}); // one call: one second's bucket
		BOOST_TEST(queries.sampledOut() == 57u);

		sockaddr_storage client{};
		client.ss_family = AF_INET;
		const std::uint8_t reply[12] = {0x12, 0x34, 0x84, 0x03, 0, 0, 0, 0, 0, 0, 0, 0};
		for (std::size_t i = 0; i < admitted; ++i) queries.recordAdmitted(reply, sizeof reply, client, "udp");
		BOOST_TEST(journal.lastSeq() == admitted);
		const auto events = journal.since(0, 1);
		BOOST_REQUIRE(events.size() == 1u);
		BOOST_TEST(events[0].json.find("\"transport\":\"udp\"") != std::string::npos, events[0].json);
	}).join();
}


BOOST_AUTO_TEST_SUITE_END()
