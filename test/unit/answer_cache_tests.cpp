// answer_cache_tests.cpp - a worker's replies by question: hits with the new ID, misses on any
// other byte, nothing kept that is too long, nothing left after clear() (a zone change).
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "dns/answer_cache.h"
#include "dns/responder.h"
#include "dns/zone_index.h"

#include <vector>

using namespace mail;
using namespace mail::dns;
using Bytes = std::vector<std::uint8_t>;


namespace {


std::shared_ptr<const ZoneIndex> zoneWithPort(std::uint16_t port)
{
	Zone zone;
	zone.p["smtp.gmail.com"] = port;
	return std::make_shared<const ZoneIndex>(zone);
}


Bytes answer(const ZoneIndex& zone, const Bytes& query)
{
	Bytes reply(MaxReplySize);
	reply.resize(answerQuery(zone, query.data(), query.size(), reply.data(), reply.size()));
	return reply;
}


Bytes cached(const AnswerCache& cache, const Bytes& query)
{
	Bytes reply(AnswerCache::MaxReplySize);
	reply.resize(cache.find(query.data(), query.size(), reply.data()));
	return reply;
}


void remember(AnswerCache& cache, const ZoneIndex& zone, const Bytes& query)
{
	const Bytes reply = answer(zone, query);
	cache.store(query.data(), query.size(), reply.data(), reply.size());
}


} // namespace


BOOST_AUTO_TEST_SUITE(answer_cache_tests)


BOOST_AUTO_TEST_CASE(a_question_asked_again_gets_the_same_reply_with_its_own_id)
{
	const auto zone = zoneWithPort(2025);
	AnswerCache cache;
	BOOST_TEST(cached(cache, encodeQuery(1, "smtp.gmail.com", TypeP, true)).empty());
	remember(cache, *zone, encodeQuery(1, "smtp.gmail.com", TypeP, true));
	for (const std::uint16_t id: {1, 2, 0xBEEF})
	{
		const Bytes query = encodeQuery(id, "smtp.gmail.com", TypeP, true);
		const Bytes reply = cached(cache, query);
		BOOST_TEST(reply == answer(*zone, query)); // byte for byte what the responder says, ID included
		BOOST_TEST(decodeMessage(reply.data(), reply.size()).header.id == id);
	}
}


BOOST_AUTO_TEST_CASE(any_other_byte_is_another_question)
{
	const auto zone = zoneWithPort(2025);
	AnswerCache cache;
	remember(cache, *zone, encodeQuery(1, "smtp.gmail.com", TypeP, true));
	BOOST_TEST(cached(cache, encodeQuery(1, "smtp.gmail.com", TypeP, false)).empty()); // no EDNS
	BOOST_TEST(cached(cache, encodeQuery(1, "smtp.gmail.com", TypeA, true)).empty());
	BOOST_TEST(cached(cache, encodeQuery(1, "SMTP.gmail.com", TypeP, true)).empty()); // echoed as asked
	Bytes noRecursion = encodeQuery(1, "smtp.gmail.com", TypeP, true);
	noRecursion[2] ^= 0x01; // RD, copied into the reply
	BOOST_TEST(cached(cache, noRecursion).empty());
}


BOOST_AUTO_TEST_CASE(clear_forgets_every_reply_so_a_new_zone_is_answered)
{
	auto zone = zoneWithPort(2025);
	AnswerCache cache;
	const Bytes query = encodeQuery(7, "smtp.gmail.com", TypeP, false);
	remember(cache, *zone, query);
	zone = zoneWithPort(2026); // a reload or an UPDATE: the worker clears its cache
	cache.clear();
	BOOST_TEST(cached(cache, query).empty());
	remember(cache, *zone, query);
	const Bytes reply = cached(cache, query);
	const Message message = decodeMessage(reply.data(), reply.size());
	BOOST_REQUIRE(message.answers.size() == 1u);
	BOOST_TEST(message.answers[0].rdata == Bytes({0x07, 0xEA})); // 2026
}


BOOST_AUTO_TEST_CASE(too_long_or_too_short_is_not_kept)
{
	const auto zone = zoneWithPort(2025);
	AnswerCache cache;
	const Bytes longQuery = encodeQuery(1, std::string(60, 'a') + "." + std::string(60, 'b') + ".example", TypeA, true);
	BOOST_REQUIRE(longQuery.size() > AnswerCache::MaxQuerySize);
	remember(cache, *zone, longQuery);
	BOOST_TEST(cached(cache, longQuery).empty());
	const Bytes query = encodeQuery(1, "smtp.gmail.com", TypeP, false);
	const Bytes bigReply(AnswerCache::MaxReplySize + 1, 0);
	cache.store(query.data(), query.size(), bigReply.data(), bigReply.size());
	BOOST_TEST(cached(cache, query).empty());
	cache.store(query.data(), 11, bigReply.data(), 12);
	BOOST_TEST(cache.find(query.data(), 11, Bytes(AnswerCache::MaxReplySize).data()) == 0u);
}


BOOST_AUTO_TEST_SUITE_END()
