// journey_tests.cpp - gathering a message's path from several servers and printing it.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "agent/journey_text.h"
#include "common/journal/journey.h"

#include <Poco/JSON/Parser.h>

#include <stdexcept>

using mail::JourneySource;


namespace {


Poco::JSON::Object::Ptr event(const std::string& json)
{
	return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}


/// A server whose journal holds these events; answers as the events route does (by
/// Message-ID or by queue id), and counts what it was asked.
struct FakeServer
{
	std::vector<Poco::JSON::Object::Ptr> events;
	std::vector<std::string> asked;

	JourneySource source(const std::string& name)
	{
		return JourneySource{name, [this](const std::string& messageId, const std::string& queueId) {
								 asked.push_back(messageId.empty() ? "queue:" + queueId : messageId);
								 std::vector<Poco::JSON::Object::Ptr> out;
								 for (const auto& e: events)
								 {
									 const bool byMessage = !messageId.empty() && e->has("message_id") && e->getValue<std::string>("message_id") == messageId;
									 const bool byQueue = !queueId.empty() && e->has("queue_id") && e->getValue<std::string>("queue_id") == queueId;
									 if (byMessage || byQueue) out.push_back(e);
								 }
								 return out;
							 }};
	}
};


} // namespace


BOOST_AUTO_TEST_SUITE(journey_tests)


BOOST_AUTO_TEST_CASE(follows_remote_id_to_a_hop_that_lost_the_message_id_and_sorts_by_time)
{
	FakeServer a, b;
	a.events = {event(R"({"t":100,"seq":1,"server":"a","type":"message.accepted","queue_id":"A1","message_id":"<m@x>"})"),
		event(R"({"t":300,"seq":2,"server":"a","type":"relay.attempt","queue_id":"R1","message_id":"<m@x>","remote_id":"B7"})")};
	// b knows the message only by its own queue id (no Message-ID in what it received)
	b.events = {event(R"({"t":350,"seq":5,"server":"b","type":"message.accepted","queue_id":"B7"})"),
		event(R"({"t":360,"seq":6,"server":"b","type":"message.delivered","queue_id":"B7"})"),
		event(R"({"t":200,"seq":4,"server":"b","type":"message.accepted","queue_id":"B6"})")};
	const auto journey = mail::gatherJourney("<m@x>", {a.source("a"), b.source("b")});
	std::vector<std::string> got;
	for (const auto& e: journey.events) got.push_back(e->getValue<std::string>("server") + " " + e->getValue<std::string>("type"));
	const std::vector<std::string> expected{"a message.accepted", "a relay.attempt", "b message.accepted", "b message.delivered"};
	BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expected.begin(), expected.end());
	BOOST_CHECK_EQUAL(b.asked.back(), "queue:B7");
	BOOST_CHECK(journey.servers[0].ok && journey.servers[1].ok);
	BOOST_CHECK(journey.toJson().find("\"message_id\":\"<m@x>\"") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(a_server_that_fails_is_listed_with_its_error_and_asked_once)
{
	FakeServer a;
	a.events = {event(R"({"t":1,"seq":1,"server":"a","type":"relay.attempt","message_id":"<m@x>","remote_id":"Z"})")};
	int calls = 0;
	JourneySource down{"down", [&](const std::string&, const std::string&) -> std::vector<Poco::JSON::Object::Ptr> {
						   ++calls;
						   throw std::runtime_error("connection refused");
					   }};
	const auto journey = mail::gatherJourney("<m@x>", {a.source("a"), down});
	BOOST_CHECK_EQUAL(journey.events.size(), 1u);
	BOOST_CHECK(!journey.servers[1].ok);
	BOOST_CHECK_EQUAL(journey.servers[1].error, "connection refused");
	BOOST_CHECK_EQUAL(calls, 1);
	BOOST_CHECK(mail::formatJourney(journey).find("not answered: down: connection refused") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(a_fired_fault_says_which_rule_at_which_stage_and_for_whom)
{
	FakeServer b;
	b.events = {event(R"({"t":1,"seq":1,"server":"b","type":"fault.fired","message_id":"<m@x>","stage":"rcpt","rule":0,"action":"reply","client":"127.0.0.1","sender":"a@x","to":["c@y"]})")};
	const std::string text = mail::formatJourney(mail::gatherJourney("<m@x>", {b.source("b")}));
	BOOST_CHECK(text.find("fault rule 0 fired at rcpt: reply (from 127.0.0.1, MAIL FROM:<a@x> RCPT TO:<c@y>)") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(message_ids_get_their_brackets)
{
	BOOST_CHECK_EQUAL(mail::normalizeMessageId(" m@x "), "<m@x>");
	BOOST_CHECK_EQUAL(mail::normalizeMessageId("<m@x>"), "<m@x>");
}


BOOST_AUTO_TEST_CASE(lanes_follow_the_sequence_diagram)
{
	const auto lane = [](const std::string& json) { return mail::journeyLane(event(json), "a"); };
	BOOST_CHECK_EQUAL(lane(R"({"server":"a","type":"smtp.helo","session":"s1"})"), "client");
	BOOST_CHECK_EQUAL(lane(R"({"server":"a","type":"message.accepted"})"), "SMTP");
	BOOST_CHECK_EQUAL(lane(R"({"server":"a","type":"dns.lookup"})"), "DNS");
	BOOST_CHECK_EQUAL(lane(R"({"server":"a","type":"relay.attempt"})"), "relay");
	BOOST_CHECK_EQUAL(lane(R"({"server":"b","type":"message.accepted"})"), "peer SMTP");
	BOOST_CHECK_EQUAL(lane(R"({"server":"b","type":"message.delivered"})"), "mailbox");
	BOOST_CHECK_EQUAL(lane(R"({"server":"b","type":"pop3.retr"})"), "POP3");
	BOOST_CHECK_EQUAL(lane(R"({"server":"b","type":"session.open","protocol":"pop3","session":"x"})"), "POP3");
}


BOOST_AUTO_TEST_SUITE_END()
