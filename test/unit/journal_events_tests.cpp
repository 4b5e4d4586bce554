// journal_events_tests.cpp - each MailEvents method writes its kind as the event catalogue says.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/journal/event_catalogue.h"
#include "common/journal/journal.h"
#include "server/journal/journal_events.h"
#include "server/journal/message_story.h"
#include "test/unit/fixtures.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using mail::MessageIds;


namespace {


std::vector<std::string> topKeys(const std::string& json)
/// The keys of a JSON object's top level, in the order written.
{
	std::vector<std::string> keys;
	int depth = 0;
	bool inString = false, escaped = false;
	std::string word;
	for (std::size_t i = 0; i < json.size(); ++i)
	{
		const char c = json[i];
		if (inString)
		{
			if (escaped) escaped = false;
			else if (c == '\\') escaped = true;
			else if (c == '"')
			{
				inString = false;
				if (depth == 1 && i + 1 < json.size() && json[i + 1] == ':') keys.push_back(word);
			}
			else word += c;
			continue;
		}
		if (c == '"')
		{
			inString = true;
			word.clear();
		}
		else if (c == '{' || c == '[') ++depth;
		else if (c == '}' || c == ']') --depth;
	}
	return keys;
}


const mail::EventType* rowOf(const std::string& type)
{
	for (const auto& row: mail::eventCatalogue())
		if (type == row.type) return &row;
	return nullptr;
}


bool inOrderWithin(const std::vector<std::string>& keys, const std::vector<std::string>& fields)
/// Every key is a field of the row, in the row's order (fields may be left out).
{
	std::size_t at = 0;
	for (const std::string& key: keys)
	{
		while (at < fields.size() && fields[at] != key) ++at;
		if (at == fields.size()) return false;
		++at;
	}
	return true;
}


void everyKind(mail::MailEvents& events, const std::string& file)
/// One call of every method, with every optional field present.
{
	const MessageIds ids{"Q1", "<m1@x>"};
	events.sessionOpen("smtp-1", "smtp", "127.0.0.1:4711", false);
	events.sessionClose("smtp-1", "smtp", "quit", 12);
	events.tls("smtp-1", "TLSv1.3", "TLS_AES_256_GCM_SHA384");
	events.smtpHelo("smtp-1", "client", true);
	events.smtpAuth("smtp-1", "usr1@x", "PLAIN", true);
	events.messageAccepted(mail::AcceptedEvent{"smtp-1", ids, "a@x", {"b@y"}, 100, "127.0.0.1:4711", "client", "250 ok", 1});
	events.messageDelivered(ids, "b@y", "1.M1P1Q1.host", 1);
	events.messageQueued(ids, {"c@z"}, 1);
	events.dnsLookup(ids, mail::DnsLookupEvent{"z", "MX", {"10 mx.z"}, "NOERROR", 1, true});
	events.relayAttempt(ids, mail::RelayAttemptEvent{1, {"c@z"}, "mx.z", "127.0.0.1:25", true, "TLSv1.3", "250 queued as R1", "R1", 5, {{"MAIL FROM:<a@x>", "250 ok", 1}}});
	events.relayDelivered(ids, "c@z", "250 queued as R1", "R1");
	events.relayDeferred(ids, "c@z", "450 later", 100);
	events.relayBounced(ids, "c@z", "550 no", "5.1.1");
	events.dsnCreated(ids, "<dsn@x>", "a@x");
	events.pop3Login("pop3-1", "b@y", "USER", true);
	const std::string messageId = "<m1@x>"; // as the session's read found it
	events.pop3Retr("pop3-1", "b@y", file, messageId, 10);
	events.pop3Dele("pop3-1", "b@y", file);
	events.pop3Expunge("pop3-1", "b@y", {"f1"});
	events.imapLogin("imap-1", "b@y", "LOGIN", false);
	events.imapFetch("imap-1", "b@y", file, messageId, 10);
	events.imapExpunge("imap-1", "b@y", {"f1"});
	events.faultFired(mail::FaultEvent{"smtp-1", "rcpt", 1, "reply", "127.0.0.1", "a@x", {"b@y"}});
}


} // namespace


BOOST_AUTO_TEST_SUITE(journal_events_tests)


BOOST_AUTO_TEST_CASE(every_kind_is_written_with_the_catalogues_type_and_fields_in_its_order)
{
	mail::test::TempDir dir;
	const std::string file = dir.path() + "/1.M1P1Q1.host";
	{
		Poco::FileOutputStream out(file);
		out << "Message-ID: <m1@x>\nSubject: s\n\nbody\n";
	}
	mail::Journal journal("gmail.com", 100);
	mail::JournalEvents events(journal, "127.0.0.1:10053");
	BOOST_TEST(events.enabled());
	everyKind(events, file);

	std::set<std::string> written;
	for (const mail::StoredEvent& e: journal.since(0, 100))
	{
		BOOST_TEST_INFO(e.json);
		const mail::EventType* row = rowOf(e.type);
		BOOST_REQUIRE(row != nullptr);
		std::vector<std::string> keys = topKeys(e.json);
		BOOST_REQUIRE(keys.size() >= 4u);
		BOOST_TEST((std::vector<std::string>(keys.begin(), keys.begin() + 4) == std::vector<std::string>{"t", "seq", "server", "type"}));
		keys.erase(keys.begin(), keys.begin() + 4);
		BOOST_TEST(inOrderWithin(keys, row->fields));
		// With every optional value given, nothing of the row is left out.
		BOOST_TEST(keys.size() == row->fields.size());
		written.insert(e.type);
		if (e.type == mail::events::kPop3Retr || e.type == mail::events::kImapFetch || e.type == mail::events::kPop3Dele)
			BOOST_TEST(e.messageId == "<m1@x>"); // from the content read, or (DELE) from the file
	}
	for (const auto& row: mail::eventCatalogue())
	{
		if (std::string(row.type) == mail::events::kDnsQuery) continue; // mail-dns's own
		BOOST_TEST(written.count(row.type) == 1u, row.type << " has no MailEvents method");
	}
}


BOOST_AUTO_TEST_CASE(a_message_without_a_message_id_is_still_linked_by_its_queue_id)
{
	mail::Journal journal("gmail.com", 100);
	mail::JournalEvents events(journal, "127.0.0.1:10053");
	const MessageIds ids{"Q2", ""};
	events.dnsLookup(ids, mail::DnsLookupEvent{"z", "A", {"127.0.0.1"}, "NOERROR", 0, false});
	events.relayDelivered(ids, "c@z", "250 ok", "");
	for (const mail::StoredEvent& e: journal.since(0, 100))
	{
		BOOST_TEST(e.queueId == "Q2");
		BOOST_TEST(e.json.find("message_id") == std::string::npos);
		BOOST_TEST(e.json.find("remote_id") == std::string::npos);
	}
	BOOST_TEST(mail::messageStory(journal, "", "Q2", 100).size() == 2u);
}


BOOST_AUTO_TEST_CASE(the_null_implementation_is_off)
{
	BOOST_TEST(!mail::nullMailEvents().enabled());
	everyKind(mail::nullMailEvents(), "/nonexistent"); // records nothing, reads no file
}


BOOST_AUTO_TEST_SUITE_END()
