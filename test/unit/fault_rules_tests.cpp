// fault_rules_tests.cpp - fault rules: reading and refusing them, matching, limits, greylisting.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/config/config.h"
#include "common/base/errors.h"
#include "server/faults/fault_rules.h"
#include "test/unit/fixtures.h"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using mail::FaultClock;
using mail::FaultQuery;
using mail::FaultRules;
using mail::FaultsConfig;
using mail::FaultStage;
using mail::parseFaultRule;
using std::chrono::seconds;


namespace {


FaultsConfig rules(std::initializer_list<const char*> yaml, std::uint64_t seed = 42)
{
	FaultsConfig config;
	config.seed = seed;
	for (const char* rule: yaml) config.rules.push_back(parseFaultRule(rule));
	return config;
}


FaultQuery rcpt(const std::string& recipient, const std::string& sender = "alice@a.example",
	const std::string& client = "127.0.0.1")
{
	FaultQuery query;
	query.stage = FaultStage::Rcpt;
	query.client = client;
	query.sender = sender;
	query.recipients = {recipient};
	return query;
}


std::string refusal(const std::string& rule)
/// Why parseFaultRule refuses the rule ("" if it takes it).
{
	try
	{
		parseFaultRule(rule);
	}
	catch (const std::invalid_argument& exc)
	{
		return exc.what();
	}
	return "";
}


} // namespace


BOOST_AUTO_TEST_SUITE(fault_rules_tests)


BOOST_AUTO_TEST_CASE(reply_must_be_a_4xx_or_5xx_refusal)
{
	BOOST_TEST(refusal("{stage: rcpt, reply: \"451 4.7.1 Greylisted\"}") == "");
	BOOST_TEST(refusal("{stage: mail, reply: \"554 5.7.1 No\"}") == "");
	BOOST_TEST(refusal("{stage: rcpt, reply: \"250 ok\"}").find("not a refusal") != std::string::npos);
	for (const char* bad: {"354 go on", "199 x", "461 x", "45 x", "451", "451 ", "4x1 x", "600 x", "451-x"})
		BOOST_TEST(refusal(std::string("{stage: rcpt, reply: \"") + bad + "\"}") != "", bad);
}


BOOST_AUTO_TEST_CASE(bad_rules_are_refused_with_the_reason)
{
	BOOST_TEST(refusal("{stage: helo, drop: true}").find("unknown stage") != std::string::npos);
	BOOST_TEST(refusal("{stage: rcpt}").find("exactly one action") != std::string::npos);
	BOOST_TEST(refusal("{stage: rcpt, drop: true, stall: true}").find("exactly one action") != std::string::npos);
	BOOST_TEST(refusal("{stage: mail, match: {recipient: a@b}, drop: true}").find("does not know the recipient") != std::string::npos);
	BOOST_TEST(refusal("{stage: rcpt, drop: true, probability: 1.5}").find("0 to 1") != std::string::npos);
	BOOST_TEST(refusal("{stage: rcpt, drop: true, min_wait: 1s}").find("needs per") != std::string::npos);
	BOOST_TEST(refusal("{stage: rcpt, drop: true, per: [helo]}").find("client, sender or recipient") != std::string::npos);
	BOOST_TEST(refusal("{stage: rcpt, drop: true, colour: red}") != "");
	BOOST_TEST(refusal("{stage: rcpt, delay: 0s}").find("longer than 0s") != std::string::npos);
	BOOST_TEST(refusal("[not, a, map]") != "");
}


BOOST_AUTO_TEST_CASE(config_with_a_fake_250_is_refused_at_load)
{
	mail::test::TempDir dir;
	const std::string path = dir.write("mail.yaml",
		"faults: { rules: [ {stage: end_of_data, reply: \"250 ok\"} ] }\nservers: { a.example: { smtp: 2525, pop: 2110 } }\n");
	try
	{
		mail::loadConfig(path);
		BOOST_FAIL("a 250 reply fault loaded");
	}
	catch (const mail::ConfigError& exc)
	{
		BOOST_TEST(std::string(exc.what()).find("faults.rules[0].reply") != std::string::npos);
		BOOST_TEST(std::string(exc.what()).find("4xx or 5xx") != std::string::npos);
	}
}


BOOST_AUTO_TEST_CASE(server_faults_override_the_top_level_key_by_key)
{
	mail::test::TempDir dir;
	const std::string path = dir.write("mail.yaml",
		"faults: { seed: 7, rules: [ {stage: connect, drop: true} ] }\n"
		"dns: { faults: { rules: [ {name: gmail.com., type: mx, action: servfail} ] } }\n"
		"servers:\n"
		"  a.example: { smtp: 2525, pop: 2110 }\n"
		"  b.example: { smtp: 2526, pop: 2111, faults: { rules: [] } }\n");
	const mail::Config config = mail::loadConfig(path);
	BOOST_TEST(config.server("a.example")->faults.rules.size() == 1u);
	BOOST_TEST(config.server("b.example")->faults.rules.empty());
	BOOST_TEST(*config.server("b.example")->faults.seed == 7u);
	BOOST_REQUIRE(config.dns.faults.rules.size() == 1u);
	BOOST_TEST(config.dns.faults.rules[0].name == "gmail.com");
}


BOOST_AUTO_TEST_CASE(rules_fire_only_at_their_stage)
{
	FaultRules faults(rules({"{stage: mail, reply: \"550 5.7.1 no\"}"}));
	BOOST_TEST(faults.active());
	BOOST_TEST(!faults.evaluate(rcpt("bob@b.example")));
	FaultQuery mail = rcpt("bob@b.example");
	mail.stage = FaultStage::Mail;
	const auto hit = faults.evaluate(mail);
	BOOST_REQUIRE(hit);
	BOOST_TEST(hit->code == 550);
	BOOST_TEST(hit->text == "5.7.1 no");
	BOOST_TEST(hit->rule == 1u);
	BOOST_TEST(!FaultRules().active());
}


BOOST_AUTO_TEST_CASE(match_exact_domain_and_glob)
{
	FaultRules faults(rules({"{stage: rcpt, match: {recipient: Bob@B.example}, drop: true}",
		"{stage: rcpt, match: {recipient: \"@gmail.com\"}, stall: true}",
		"{stage: rcpt, match: {recipient: \"*@qq.com\", client: \"127.0.0.*\"}, delay: 2s}"}));
	BOOST_TEST(toString(faults.evaluate(rcpt("bob@b.example"))->action) == "drop");
	BOOST_TEST(toString(faults.evaluate(rcpt("BOB@b.EXAMPLE"))->action) == "drop");
	BOOST_TEST(!faults.evaluate(rcpt("bobby@b.example")));
	BOOST_TEST(toString(faults.evaluate(rcpt("x@gmail.com"))->action) == "stall");
	BOOST_TEST(!faults.evaluate(rcpt("x@mail.gmail.com")));
	BOOST_TEST(faults.evaluate(rcpt("y@qq.com"))->delay.count() == 2);
	BOOST_TEST(!faults.evaluate(rcpt("y@qq.com", "a@a.example", "10.0.0.1")));
	BOOST_TEST(!faults.evaluate(rcpt("y@qq.comx")));
}


BOOST_AUTO_TEST_CASE(sender_match_and_data_stage_any_recipient)
{
	FaultRules faults(rules({"{stage: end_of_data, match: {sender: \"*@a.example\", recipient: \"@c.example\"}, reply: \"552 5.3.4 too big\"}"}));
	FaultQuery query;
	query.stage = FaultStage::EndOfData;
	query.sender = "alice@a.example";
	query.recipients = {"x@b.example", "y@c.example"};
	BOOST_TEST(faults.evaluate(query)->code == 552);
	query.recipients = {"x@b.example"};
	BOOST_TEST(!faults.evaluate(query));
	query.recipients = {"y@c.example"};
	query.sender = "";
	BOOST_TEST(!faults.evaluate(query));
}


BOOST_AUTO_TEST_CASE(probability_is_repeatable_with_a_seed)
{
	const auto run = [](std::uint64_t seed) {
		FaultRules faults(rules({"{stage: rcpt, drop: true, probability: 0.3}"}, seed));
		std::string pattern;
		for (int i = 0; i < 200; ++i) pattern += faults.evaluate(rcpt("bob@b.example")) ? '1' : '0';
		return pattern;
	};
	const std::string first = run(42);
	BOOST_TEST(first == run(42));
	BOOST_TEST(first != run(43));
	const auto fired = std::count(first.begin(), first.end(), '1');
	BOOST_TEST(fired > 30);
	BOOST_TEST(fired < 90);
	FaultRules never(rules({"{stage: rcpt, drop: true, probability: 0}"}));
	for (int i = 0; i < 50; ++i) BOOST_TEST(!never.evaluate(rcpt("bob@b.example")));
}


BOOST_AUTO_TEST_CASE(times_counts_the_first_matches_then_the_next_rule_applies)
{
	FaultRules faults(rules({"{stage: rcpt, reply: \"451 4.3.0 first\", times: 2}", "{stage: rcpt, reply: \"550 5.0.0 second\"}"}));
	BOOST_TEST(faults.evaluate(rcpt("a@b.example"))->code == 451);
	BOOST_TEST(faults.evaluate(rcpt("a@b.example"))->code == 451);
	BOOST_TEST(faults.evaluate(rcpt("a@b.example"))->code == 550);
	const auto listed = faults.list();
	BOOST_REQUIRE(listed.size() == 2u);
	BOOST_TEST(listed[0].hits == 2u);
	BOOST_TEST(listed[1].hits == 1u);
}


BOOST_AUTO_TEST_CASE(for_expires_the_rule)
{
	const auto start = FaultClock::now();
	FaultRules faults;
	faults.add(parseFaultRule("{stage: connect, drop: true, for: 10m}"), start);
	FaultQuery connect;
	BOOST_TEST(faults.evaluate(connect, start + seconds(599)).has_value());
	BOOST_TEST(!faults.evaluate(connect, start + seconds(600)).has_value());
}


BOOST_AUTO_TEST_CASE(greylisting_refuses_each_triple_first_and_passes_a_later_retry)
{
	const auto t0 = FaultClock::now();
	FaultRules faults;
	faults.add(parseFaultRule("{stage: rcpt, match: {recipient: \"*@gmail.com\"}, reply: \"451 4.7.1 Greylisted\", "
							  "per: [client, sender, recipient], min_wait: 60s}"),
		t0);
	BOOST_TEST(faults.evaluate(rcpt("u@gmail.com"), t0)->code == 451);
	BOOST_TEST(faults.evaluate(rcpt("u@gmail.com"), t0 + seconds(30)).has_value()); // too early
	BOOST_TEST(!faults.evaluate(rcpt("u@gmail.com"), t0 + seconds(60)));            // retried after min_wait
	BOOST_TEST(!faults.evaluate(rcpt("u@gmail.com"), t0 + seconds(3600)));          // and from then on
	// Another triple starts over: other recipient, other sender, other client.
	BOOST_TEST(faults.evaluate(rcpt("v@gmail.com"), t0 + seconds(60)).has_value());
	BOOST_TEST(faults.evaluate(rcpt("u@gmail.com", "carol@a.example"), t0 + seconds(60)).has_value());
	BOOST_TEST(faults.evaluate(rcpt("u@gmail.com", "alice@a.example", "127.0.0.2"), t0 + seconds(60)).has_value());
}


BOOST_AUTO_TEST_CASE(greylisting_memory_is_bounded)
{
	const auto t0 = FaultClock::now();
	FaultRules faults;
	faults.add(parseFaultRule("{stage: rcpt, reply: \"451 4.7.1 later\", per: [recipient], min_wait: 1s}"), t0);
	BOOST_TEST(faults.evaluate(rcpt("first@b.example"), t0).has_value());
	for (std::size_t i = 0; i < FaultRules::kMaxRemembered; ++i) faults.evaluate(rcpt(std::to_string(i) + "@b.example"), t0);
	// The oldest entry was forgotten: its retry is a first attempt again.
	BOOST_TEST(faults.evaluate(rcpt("first@b.example"), t0 + seconds(5)).has_value());
	BOOST_TEST(!faults.evaluate(rcpt("9999@b.example"), t0 + seconds(5)));
}


BOOST_AUTO_TEST_CASE(replace_add_clear_and_list)
{
	FaultRules faults(rules({"{stage: connect, drop: true}"}));
	faults.add(parseFaultRule("{stage: rcpt, stall: true}"));
	BOOST_TEST(faults.list().size() == 2u);
	BOOST_TEST(mail::toYaml(faults.list()[1].rule) == "{stage: rcpt, stall: true}");
	faults.clear();
	BOOST_TEST(!faults.active());
	BOOST_TEST(!faults.evaluate(FaultQuery()));
	faults.replace(rules({"{stage: connect, drop: true}"}));
	BOOST_TEST(faults.active());
	BOOST_TEST(faults.evaluate(FaultQuery()).has_value());
}


BOOST_AUTO_TEST_CASE(yaml_form_reads_back_the_same_rule)
{
	const char* text =
		"{stage: rcpt, match: {client: \"127.0.0.1\", sender: \"@a.example\", recipient: \"*@gmail.com\"}, "
		"reply: \"451 4.7.1 Greylisted, \\\"try\\\" later\", probability: 0.5, times: 3, for: 600s, "
		"per: [client, sender, recipient], min_wait: 1s}";
	const std::string once = mail::toYaml(parseFaultRule(text));
	BOOST_TEST(once == text);
	BOOST_TEST(mail::toYaml(parseFaultRule(once)) == once);
}


BOOST_AUTO_TEST_CASE(evaluation_is_thread_safe_and_counts_every_hit)
{
	FaultRules faults(rules({"{stage: rcpt, reply: \"451 4.7.1 later\", times: 1000}"}));
	std::vector<std::thread> threads;
	threads.reserve(4);
	std::atomic<int> fired{0};
	for (int t = 0; t < 4; ++t)
	{
		threads.emplace_back([&] {
			for (int i = 0; i < 500; ++i) fired += faults.evaluate(rcpt("bob@b.example")) ? 1 : 0;
		});
	}
	for (auto& thread: threads) thread.join();
	BOOST_TEST(fired == 1000);
	BOOST_TEST(faults.list()[0].hits == 1000u);
}


BOOST_AUTO_TEST_SUITE_END()
