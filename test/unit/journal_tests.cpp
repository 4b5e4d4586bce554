// journal_tests.cpp - the event journal: ring bounds, drops under a stalled writer, rotation,
// linking a message's events, subscribers, and JSON lines that hostile strings cannot break.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/journal/journal.h"
#include "common/journal/journal_file.h"
#include "server/message/message_id.h"
#include "server/journal/message_story.h"
#include "server/journal/server_journal.h"
#include "test/unit/fixtures.h"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

using mail::Journal;
using mail::JournalEvent;
using mail::JournalFile;


namespace {


struct Gate
/// Shared between a test and its StalledSink (which the journal owns and destroys).
{
	std::mutex mutex;
	std::condition_variable changed;
	bool entered = false;
	bool released = false;
	std::size_t written = 0;

	void waitEntered()
	{
		std::unique_lock<std::mutex> lock(mutex);
		changed.wait(lock, [&] { return entered; });
	}

	void release()
	{
		std::lock_guard<std::mutex> lock(mutex);
		released = true;
		changed.notify_all();
	}
};


class StalledSink: public mail::JournalSink
/// A writer that blocks until released, as a disk that stopped answering would.
{
public:
	explicit StalledSink(Gate& gate):
		_gate(gate)
	{
	}

	void write(const std::vector<std::string>& lines) override
	{
		std::unique_lock<std::mutex> lock(_gate.mutex);
		_gate.entered = true;
		_gate.changed.notify_all();
		_gate.changed.wait(lock, [&] { return _gate.released; });
		_gate.written += lines.size();
	}

private:
	Gate& _gate;
};


struct Writes
/// What a CountingSink saw: one entry per write() call, the lines it carried.
{
	std::mutex mutex;
	std::vector<std::vector<std::string>> calls;
};


class CountingSink: public mail::JournalSink
{
public:
	explicit CountingSink(Writes& writes):
		_writes(writes)
	{
	}

	void write(const std::vector<std::string>& lines) override
	{
		std::lock_guard<std::mutex> lock(_writes.mutex);
		_writes.calls.push_back(lines);
	}

private:
	Writes& _writes;
};


std::vector<std::string> fileLines(const std::string& path)
{
	std::ifstream in(path);
	std::vector<std::string> lines;
	for (std::string line; std::getline(in, line);) lines.push_back(line);
	return lines;
}


Poco::JSON::Object::Ptr parse(const std::string& json)
{
	return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}


} // namespace


BOOST_AUTO_TEST_SUITE(journal_tests)


BOOST_AUTO_TEST_CASE(ring_keeps_only_the_last_keep_events_in_seq_order)
{
	Journal journal("gmail.com", 3);
	for (int i = 1; i <= 5; ++i) journal.record(JournalEvent("smtp.helo").num("n", i));
	const auto events = journal.since(0, 100);
	BOOST_REQUIRE_EQUAL(events.size(), 3u);
	BOOST_CHECK_EQUAL(events[0].seq, 3u);
	BOOST_CHECK_EQUAL(events[2].seq, 5u);
	BOOST_CHECK_EQUAL(journal.lastSeq(), 5u);
	BOOST_CHECK_EQUAL(journal.since(4, 100).size(), 1u);
	BOOST_CHECK_EQUAL(journal.since(0, 2).front().seq, 4u); // the newest ones when limited
	const auto first = parse(events[0].json);
	BOOST_CHECK_EQUAL(first->getValue<std::string>("server"), "gmail.com");
	BOOST_CHECK_EQUAL(first->getValue<std::string>("type"), "smtp.helo");
	BOOST_CHECK_EQUAL(first->getValue<int>("n"), 3);
	BOOST_CHECK_GT(first->getValue<std::int64_t>("t"), 1600000000000000LL); // microseconds
}


BOOST_AUTO_TEST_CASE(a_full_ring_reuses_its_oldest_event_without_leaving_its_fields_behind)
{
	// Past keep, record() writes into the oldest event's buffers (and the writer's lines
	// into written ones): a short or empty field must not show the longer one before it.
	Writes writes;
	{
		Journal journal("gmail.com", 2, std::make_unique<CountingSink>(writes));
		const std::string longId = "<" + std::string(300, 'm') + "@example.com>";
		journal.record(JournalEvent("pop3.retr").str("session", "s-long-1").str("message_id", longId).str("queue_id", "Q1"));
		journal.record(JournalEvent("pop3.retr").str("session", "s-long-2").str("message_id", longId).str("remote_id", "R"));
		// Those two written first, so the next lines go into their buffers.
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
		for (;;)
		{
			{
				std::lock_guard<std::mutex> lock(writes.mutex);
				if (!writes.calls.empty()) break;
			}
			BOOST_REQUIRE(std::chrono::steady_clock::now() < deadline);
			std::this_thread::sleep_for(std::chrono::milliseconds(5));
		}
		for (int i = 0; i < 4; ++i) journal.record(JournalEvent("pop3.dele").str("session", "s").num("n", i));
		const auto events = journal.since(0, 10);
		BOOST_REQUIRE_EQUAL(events.size(), 2u);
		for (const auto& event: events)
		{
			BOOST_CHECK_EQUAL(event.type, "pop3.dele");
			BOOST_CHECK_EQUAL(event.session, "s");
			BOOST_CHECK(event.messageId.empty());
			BOOST_CHECK(event.queueId.empty());
			BOOST_CHECK(event.remoteId.empty());
			const auto json = parse(event.json);
			BOOST_CHECK(!json->has("message_id"));
			BOOST_CHECK_EQUAL(json->getValue<std::uint64_t>("seq"), event.seq);
		}
		BOOST_CHECK_EQUAL(parse(events[1].json)->getValue<int>("n"), 3);
	}
	std::vector<std::string> lines;
	for (const auto& call: writes.calls) lines.insert(lines.end(), call.begin(), call.end());
	BOOST_REQUIRE_EQUAL(lines.size(), 6u);
	for (std::size_t i = 0; i < lines.size(); ++i)
	{
		const auto json = parse(lines[i]);
		BOOST_CHECK_EQUAL(json->getValue<std::uint64_t>("seq"), i + 1);
		BOOST_CHECK_EQUAL(json->has("message_id"), i < 2);
	}
}


BOOST_AUTO_TEST_CASE(a_stalled_writer_makes_record_drop_and_count_instead_of_waiting)
{
	Gate gate;
	{
		Journal journal("exmail.qq.com", 1000, std::make_unique<StalledSink>(gate), 10);
		journal.record(JournalEvent("first"));
		gate.waitEntered(); // the writer holds the first line and hangs
		for (int i = 0; i < 25; ++i) journal.record(JournalEvent("more"));
		BOOST_CHECK_EQUAL(journal.dropped(), 15u);             // 10 wait for the writer, the rest are dropped
		BOOST_CHECK_EQUAL(journal.since(0, 1000).size(), 26u); // memory keeps them all
		gate.release();
	}
	BOOST_CHECK_EQUAL(gate.written, 11u); // the writer has ended: no lock needed
}


BOOST_AUTO_TEST_CASE(the_file_rotates_by_size_keeping_one_old_file)
{
	mail::test::TempDir dir;
	const std::string path = dir.file("events.jsonl");
	{
		JournalFile file(path, 100);
		file.write({std::string(60, 'a'), std::string(60, 'b')}); // 122 octets: over the size
		file.write({std::string(60, 'c')});                       // rotates before this one
		file.write({std::string(60, 'd'), std::string(60, 'e')}); // rotates before 'e'
	}
	const auto current = fileLines(path);
	const auto old = fileLines(path + ".1");
	BOOST_REQUIRE_EQUAL(current.size(), 1u);
	BOOST_CHECK_EQUAL(current[0][0], 'e');
	BOOST_REQUIRE_EQUAL(old.size(), 2u);
	BOOST_CHECK_EQUAL(old[0][0], 'c');
	BOOST_CHECK(!Poco::File(path + ".2").exists());
}


BOOST_AUTO_TEST_CASE(the_writer_appends_one_json_line_per_event)
{
	mail::test::TempDir dir;
	const std::string path = dir.file("events.jsonl");
	{
		Journal journal("gmail.com", 10, std::make_unique<JournalFile>(path));
		journal.record(JournalEvent("session.open").str("session", "smtp-1"));
		journal.record(JournalEvent("session.close").str("session", "smtp-1"));
	}
	const auto lines = fileLines(path);
	BOOST_REQUIRE_EQUAL(lines.size(), 2u);
	BOOST_CHECK_EQUAL(parse(lines[1])->getValue<int>("seq"), 2);
	BOOST_CHECK_EQUAL(parse(lines[1])->getValue<std::string>("session"), "smtp-1");
}


BOOST_AUTO_TEST_CASE(the_writer_gathers_a_burst_into_few_writes_and_loses_no_line)
{
	// One event every millisecond: a writer woken per event would make about one write
	// per event; gathering for kWriteInterval makes about one per interval.
	Writes writes;
	const int events = 200;
	const auto start = std::chrono::steady_clock::now();
	{
		Journal journal("gmail.com", 10, std::make_unique<CountingSink>(writes));
		for (int i = 0; i < events; ++i)
		{
			journal.record(JournalEvent("smtp.helo").num("i", i));
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	}
	const auto elapsed = std::chrono::steady_clock::now() - start;
	const auto intervals = static_cast<std::size_t>(elapsed / Journal::kWriteInterval) + 2;
	std::size_t seen = 0;
	for (const auto& call: writes.calls)
	{
		for (const std::string& line: call)
		{
			BOOST_REQUIRE_EQUAL(parse(line)->getValue<int>("i"), static_cast<int>(seen));
			++seen;
		}
	}
	BOOST_CHECK_EQUAL(seen, static_cast<std::size_t>(events));
	BOOST_CHECK_LE(writes.calls.size(), intervals);
	BOOST_TEST_MESSAGE("writes: " << writes.calls.size() << " for " << events << " events");
}


BOOST_AUTO_TEST_CASE(hostile_strings_stay_inside_one_valid_json_line)
{
	const std::string hostile = std::string("a\"b\\c\r\nd\te") + '\0' + "\x01\x1f\x7f" + "\xff\xc3(\xe2\x82" + "\xed\xa0\x80" + "ok\xc3\xa9";
	Journal journal("gmail.com", 10);
	journal.record(JournalEvent("smtp.helo").str("helo", hostile).list("to", {hostile}));
	const std::string json = journal.since(0, 1).front().json;
	BOOST_CHECK(json.find('\n') == std::string::npos);
	BOOST_CHECK(json.find('\r') == std::string::npos);
	for (unsigned char c: json) BOOST_CHECK(c >= 0x20 && c != 0x7f);
	const auto object = parse(json); // valid JSON
	const std::string helo = object->getValue<std::string>("helo");
	BOOST_CHECK_EQUAL(helo.substr(0, 11), std::string("a\"b\\c\r\nd\te") + '\0');
	// invalid UTF-8 (a lone 0xFF, a truncated sequence, a surrogate) became U+FFFD; valid é stays
	BOOST_CHECK(helo.find("\xef\xbf\xbd") != std::string::npos);
	BOOST_CHECK_EQUAL(helo.substr(helo.size() - 4), "ok\xc3\xa9");
	BOOST_CHECK(helo.find("\xed\xa0\x80") == std::string::npos);
}


BOOST_AUTO_TEST_CASE(about_links_a_message_by_message_id_queue_id_and_session)
{
	Journal journal("exmail.qq.com", 100);
	journal.record(JournalEvent("session.open").str("session", "s1"));
	journal.record(JournalEvent("smtp.helo").str("session", "s1").str("helo", "client"));
	journal.record(JournalEvent("session.open").str("session", "s2")); // another client
	journal.record(JournalEvent("message.accepted").str("session", "s1").str("queue_id", "Q1").str("message_id", "<m1@x>"));
	journal.record(JournalEvent("message.accepted").str("session", "s1").str("queue_id", "Q2").str("message_id", "<m2@x>"));
	journal.record(JournalEvent("message.delivered").str("queue_id", "Q1")); // linked only by queue id
	journal.record(JournalEvent("message.delivered").str("queue_id", "Q2"));
	std::vector<std::string> types;
	for (const auto& e: messageStory(journal, "<m1@x>", "", 100)) types.push_back(e.type + "/" + e.queueId);
	const std::vector<std::string> expected{"session.open/", "smtp.helo/", "message.accepted/Q1", "message.delivered/Q1"};
	BOOST_CHECK_EQUAL_COLLECTIONS(types.begin(), types.end(), expected.begin(), expected.end());
	// by queue id alone (the previous hop's remote_id)
	BOOST_CHECK_EQUAL(messageStory(journal, "", "Q2", 100).size(), 4u);
	BOOST_CHECK(messageStory(journal, "<none@x>", "", 100).empty());
}


BOOST_AUTO_TEST_CASE(about_links_a_refused_earlier_attempt_of_the_same_client_sender_and_recipients)
{
	// The greylisted first attempt is refused at RCPT, before the server can name the message;
	// the retry is accepted. Only the fault that matches client, sender and recipients links.
	Journal journal("gmail.com", 100);
	const auto fault = [&](const std::string& client, const std::string& sender, const std::string& rcpt) {
		journal.record(JournalEvent("fault.fired").str("session", "s0").str("stage", "rcpt").str("client", client).str("sender", sender).list("to", {rcpt}));
	};
	fault("127.0.0.1", "a@x", "b@y");
	fault("127.0.0.2", "a@x", "b@y"); // another client
	fault("127.0.0.1", "c@x", "b@y"); // another sender
	fault("127.0.0.1", "a@x", "d@y"); // a recipient the message does not have
	journal.record(JournalEvent("message.accepted").str("session", "s1").str("queue_id", "Q1").str("message_id", "<m1@x>").str("from", "a@x").list("to", {"b@y", "e@y"}).str("peer", "127.0.0.1:4711"));
	fault("127.0.0.1", "a@x", "b@y"); // after the message: a later one's
	std::vector<std::uint64_t> seqs;
	for (const auto& e: messageStory(journal, "<m1@x>", "", 100)) seqs.push_back(e.seq);
	const std::vector<std::uint64_t> expected{1, 5};
	BOOST_CHECK_EQUAL_COLLECTIONS(seqs.begin(), seqs.end(), expected.begin(), expected.end());
}


BOOST_AUTO_TEST_CASE(a_slow_subscriber_drops_and_counts_and_close_ends_it)
{
	Journal journal("gmail.com", 100);
	auto reader = journal.subscribe(2);
	for (int i = 0; i < 5; ++i) journal.record(JournalEvent("e").num("i", i));
	std::vector<std::string> got;
	BOOST_CHECK(reader->next(got, std::chrono::milliseconds(10)));
	BOOST_CHECK_EQUAL(got.size(), 2u);
	BOOST_CHECK_EQUAL(reader->dropped(), 3u);
	journal.close();
	got.clear();
	BOOST_CHECK(!reader->next(got, std::chrono::seconds(5))); // ends at once, does not wait
	BOOST_CHECK(!journal.subscribe()->next(got, std::chrono::seconds(5)));
}


BOOST_AUTO_TEST_CASE(the_message_id_of_read_bytes_is_the_message_id_of_the_file)
{
	// A POP3 RETR takes it from the bytes it has read instead of opening the file again.
	mail::test::TempDir dir;
	const std::string texts[] = {
		"From: a@x\r\nMessage-ID:\r\n  <folded@x>\r\n\r\nbody\r\n",
		"Subject: s\nmessage-id: <lf@x>\n\nMessage-ID: <body@x>\n",
		"Subject: none\r\n\r\nMessage-ID: <in-body@x>\r\n",
		"",
	};
	const std::string expected[] = {"<folded@x>", "<lf@x>", "", ""};
	for (std::size_t i = 0; i < 4; ++i)
	{
		BOOST_TEST(mail::messageIdIn(texts[i]) == expected[i]);
		BOOST_TEST(mail::messageIdOfFile(dir.write("m" + std::to_string(i), texts[i])) == expected[i]);
	}
}


BOOST_AUTO_TEST_CASE(keep_0_means_no_journal_and_no_file)
{
	mail::test::TempDir dir;
	mail::ServerConfig server;
	server.name = "gmail.com";
	server.journal.keep = 0;
	BOOST_CHECK(!mail::openJournal(server, dir.path()));
	BOOST_CHECK(!Poco::File(mail::journalPath(dir.path())).exists());
	server.journal.keep = 5;
	const auto journal = mail::openJournal(server, dir.path());
	BOOST_REQUIRE(journal);
	BOOST_CHECK_EQUAL(journal->keep(), 5u);
	BOOST_CHECK(Poco::File(mail::journalPath(dir.path())).exists());
}


BOOST_AUTO_TEST_SUITE_END()
