// dns_faults_tests.cpp - dns.faults on replies: rcode rewrites, type and name matching, limits.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/dns/dns_message.h"
#include "common/config/zone.h"
#include "dns/dns_faults.h"
#include "dns/responder.h"

#include <vector>

using namespace mail;
using mail::dns::DnsFaults;


namespace {


struct Answered
{
	std::vector<std::uint8_t> reply;
	std::size_t length;
};


Answered answer(const std::string& name, std::uint16_t type)
/// What mail-dns answers for name/type from a small zone (gmail.com MX, smtp.gmail.com P).
{
	Zone zone;
	zone.mx["gmail.com"] = {{10, "smtp.gmail.com"}};
	zone.p["smtp.gmail.com"] = 2525;
	const dns::ZoneIndex index(zone);
	const std::vector<std::uint8_t> query = dns::encodeQuery(7, name, type, false);
	Answered out{std::vector<std::uint8_t>(dns::MaxReplySize), 0};
	out.length = dns::answerQuery(index, query.data(), query.size(), out.reply.data(), out.reply.size());
	return out;
}


DnsFaultsConfig rules(std::initializer_list<const char*> yaml)
{
	DnsFaultsConfig config;
	config.seed = 1;
	for (const char* rule: yaml) config.rules.push_back(parseDnsFaultRule(rule));
	return config;
}


} // namespace


BOOST_AUTO_TEST_SUITE(dns_faults_tests)


BOOST_AUTO_TEST_CASE(servfail_keeps_header_and_question_and_drops_the_records)
{
	DnsFaults faults(rules({"{name: Gmail.COM., type: MX, action: servfail}"}));
	Answered a = answer("gmail.com", dns::TypeMx);
	Seconds delay;
	const std::size_t length = faults.apply(a.reply.data(), a.length, delay);
	BOOST_TEST(delay.count() == 0);
	BOOST_TEST(length < a.length);
	const dns::Message message = dns::decodeMessage(a.reply.data(), length);
	BOOST_TEST(message.header.rcode() == dns::RcodeServFail);
	BOOST_TEST(message.header.id == 7);
	BOOST_REQUIRE(message.questions.size() == 1u);
	BOOST_TEST(message.questions[0].name == "gmail.com");
	BOOST_TEST(message.answers.empty());
	BOOST_TEST(faults.list()[0].hits == 1u);
}


BOOST_AUTO_TEST_CASE(type_and_name_glob_decide_what_is_hit)
{
	DnsFaults faults(rules({"{name: \"*.gmail.com\", type: A, action: nxdomain}", "{name: gmail.com, action: refused}"}));
	Seconds delay;
	Answered mx = answer("gmail.com", dns::TypeMx);
	BOOST_TEST(dns::decodeMessage(mx.reply.data(), faults.apply(mx.reply.data(), mx.length, delay)).header.rcode() == dns::RcodeRefused);
	Answered a = answer("smtp.gmail.com", dns::TypeA);
	BOOST_TEST(dns::decodeMessage(a.reply.data(), faults.apply(a.reply.data(), a.length, delay)).header.rcode() == dns::RcodeNxDomain);
	Answered p = answer("smtp.gmail.com", dns::TypeP);
	BOOST_TEST(faults.apply(p.reply.data(), p.length, delay) == p.length);
	BOOST_TEST(dns::decodeMessage(p.reply.data(), p.length).answers.size() == 1u);
}


BOOST_AUTO_TEST_CASE(drop_delay_and_times)
{
	DnsFaults faults(rules({"{name: gmail.com, action: drop, times: 1}", "{name: gmail.com, action: delay, delay: 3s}"}));
	Seconds delay;
	Answered first = answer("gmail.com", dns::TypeMx);
	BOOST_TEST(faults.apply(first.reply.data(), first.length, delay) == 0u);
	Answered second = answer("gmail.com", dns::TypeMx);
	BOOST_TEST(faults.apply(second.reply.data(), second.length, delay) == second.length);
	BOOST_TEST(delay.count() == 3);
	faults.clear();
	BOOST_TEST(!faults.active());
}


BOOST_AUTO_TEST_CASE(protocol_errors_are_left_alone)
{
	DnsFaults faults(rules({"{name: \"*\", action: drop}"}));
	std::vector<std::uint8_t> query = dns::encodeQuery(9, "gmail.com", dns::TypeMx, false);
	query[2] |= 0x78; // opcode 15: NOTIMP
	std::vector<std::uint8_t> reply(dns::MaxReplySize);
	dns::ZoneIndex index{Zone()};
	const std::size_t length = dns::answerQuery(index, query.data(), query.size(), reply.data(), reply.size());
	Seconds delay;
	BOOST_TEST(length > 0u);
	BOOST_TEST(faults.apply(reply.data(), length, delay) == length);
	Answered unknown = answer("nowhere.example", dns::TypeA); // NXDOMAIN is an answer: faulted
	BOOST_TEST(faults.apply(unknown.reply.data(), unknown.length, delay) == 0u);
}


BOOST_AUTO_TEST_SUITE_END()
