// queue_report_tests.cpp - the mailq-like listing: queue joined with the schedule, text and JSON.

#include <boost/test/unit_test.hpp>

#include "server/mail/envelope.h"
#include "server/control/queue_report.h"
#include "test/unit/fixtures.h"

#include <Poco/JSON/Parser.h>

#include <chrono>

using mail::QueueReportEntry;
using mail::RelayQueue;
using mail::ScheduledEntry;
using mail::test::TempDir;


BOOST_AUTO_TEST_SUITE(queue_report_tests)


BOOST_AUTO_TEST_CASE(empty_queue_says_so)
{
	BOOST_TEST(mail::formatQueueText({}) == "Mail queue is empty\n");
	BOOST_TEST(mail::formatQueueJson({}) == "{\"messages\":[]}\n");
}


BOOST_AUTO_TEST_CASE(joins_the_schedule_and_reports_held_sending_and_waiting)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string waiting = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, "12345\r\n");
	const std::string sending = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"c@y.example"}, "m\r\n");
	const std::string held = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"d@y.example"}, "m\r\n");
	mail::QueueEnvelope e;
	BOOST_REQUIRE(queue.load(held, e));
	e.held = true;
	queue.update(e);
	const auto due = std::chrono::system_clock::from_time_t(4102444800); // 2100-01-01
	const auto entries = mail::queueReport(queue,
		{ScheduledEntry{waiting, due, false}, ScheduledEntry{sending, {}, true}});
	BOOST_REQUIRE(entries.size() == 3u);
	BOOST_TEST(entries[0].size == 7u);
	BOOST_TEST(entries[0].next == 4102444800);
	BOOST_TEST(entries[1].sending);
	BOOST_TEST(entries[2].envelope.held);
	BOOST_TEST(entries[2].next == 0);

	const std::string text = mail::formatQueueText(entries);
	BOOST_TEST(text.find(" waiting  <a@x.example>") != std::string::npos);
	BOOST_TEST(text.find(" sending  <a@x.example>") != std::string::npos);
	BOOST_TEST(text.find("<d@y.example> pending attempts=0 next=held") != std::string::npos);
	BOOST_TEST(text.find("<c@y.example> pending attempts=0 next=now") != std::string::npos);
	BOOST_TEST(text.find("next=2100-01-01T") != std::string::npos);
	BOOST_TEST(text.find("-- 3 messages in the queue") != std::string::npos);
}


BOOST_AUTO_TEST_CASE(json_escapes_replies_and_parses)
{
	QueueReportEntry entry;
	entry.envelope.id = "id1";
	entry.envelope.sender = "";
	entry.envelope.recipients.push_back({"b@y.example", mail::RecipientState::Pending, "4.4.1", "mx.y.example",
		"451 \"quoted\" back\\slash\ttab\r\nnext"});
	const std::string json = mail::formatQueueJson({entry});
	Poco::JSON::Parser parser;
	const auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
	const auto message = root->getArray("messages")->getObject(0);
	BOOST_TEST(message->getValue<std::string>("id") == "id1");
	BOOST_TEST(message->getValue<std::string>("state") == "waiting");
	BOOST_TEST(message->isNull("next_attempt"));
	const auto rcpt = message->getArray("recipients")->getObject(0);
	BOOST_TEST(rcpt->getValue<std::string>("reply") == "451 \"quoted\" back\\slash\ttab\r\nnext");
	BOOST_TEST(rcpt->getValue<std::string>("remote_mta") == "mx.y.example");
}


BOOST_AUTO_TEST_SUITE_END()
