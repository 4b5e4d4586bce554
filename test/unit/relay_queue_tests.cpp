// relay_queue_tests.cpp - durable queue files, envelope round trip, recovery scan, read-only list.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/mail/envelope.h"
#include "server/store/queue/relay_queue.h"
#include "server/store/durable_file.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using mail::QueuedRecipient;
using mail::QueueEnvelope;
using mail::RecipientState;
using mail::RelayQueue;
using mail::test::filesIn;
using mail::test::TempDir;


namespace {


std::string messageFor(const std::string& sender)
{
	return "From: " + sender + "\r\nSubject: list\r\n\r\n" + std::string(20000, 'x') + "\r\n";
}


} // namespace


BOOST_AUTO_TEST_SUITE(relay_queue_tests)


BOOST_AUTO_TEST_CASE(enqueue_writes_one_file_and_notifies)
{
	TempDir tmp;
	RelayQueue queue(tmp.file("queue"));
	std::vector<std::string> notified;
	queue.setListener([&](const QueueEnvelope& e) { notified.push_back(e.id); });
	const std::string message = "Subject: hi\r\n\r\nbody\r\n.dot\r\n";
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "usr1@mail.sustech.edu.cn", {"usr@gmail.com", "a@b.example"}, message);

	BOOST_TEST(notified == std::vector<std::string>{id});
	BOOST_TEST(filesIn(tmp.file("queue")) == (std::set<std::string>{id + ".mail"}));
	// The head, then the message with LF line ends, as SMTP stores it.
	const std::string file = mail::readWholeFile(tmp.file("queue/" + id + ".mail"));
	BOOST_TEST(file.find("mailq\t1\nid\t" + id + "\n") == 0u);
	const std::string tail = "\nend\nSubject: hi\n\nbody\n.dot\n";
	BOOST_TEST(file.substr(file.size() - tail.size()) == tail);
	BOOST_TEST(queue.readMessage(id) == message);
	QueueEnvelope e;
	BOOST_TEST(queue.load(id, e));
	BOOST_TEST(e.sender == "usr1@mail.sustech.edu.cn");
	BOOST_TEST(e.recipients.size() == 2u);
	BOOST_TEST(e.recipients[1].address == "a@b.example");
	BOOST_TEST((e.recipients[0].state == RecipientState::Pending));
	BOOST_TEST(e.attempts == 0u);
	BOOST_TEST(e.arrival > 0);
	BOOST_TEST(e.nextAttempt == e.arrival);
}


BOOST_AUTO_TEST_CASE(a_shared_lf_spool_file_is_copied_after_its_first_line_into_a_one_file_entry)
{
	TempDir tmp;
	RelayQueue queue(tmp.file("queue"));
	// Lines across the 64 KB buffer's edges, an empty line, a CR that is content.
	std::string body;
	for (int i = 0; i < 3000; ++i) body += "line " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), 'y') + "\n";
	body += "\nlast\rline\n";
	const std::string returnPath = "Return-Path: <a@x.example>\n";
	std::ofstream(tmp.file("spool")) << returnPath << body;
	std::string crlf;
	for (char c: body)
	{
		if (c == '\n') crlf += '\r';
		crlf += c;
	}
	const std::string id = mail::newEnvelopeId();
	mail::QueueEntryHead head = queue.newHead(id, "a@x.example", {"b@y.example"});
	head.bodySize = body.size();
	head.wireSize = crlf.size();
	queue.enqueueCopy(head, tmp.file("spool"), returnPath.size());
	QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	BOOST_TEST(e.size == static_cast<std::int64_t>(crlf.size()));
	BOOST_TEST(!e.legacy);
	BOOST_TEST((queue.readMessage(id) == crlf));
	BOOST_TEST(filesIn(tmp.file("queue")) == (std::set<std::string>{id + ".mail"}));
	BOOST_TEST(mail::readWholeFile(tmp.file("spool")).size() == returnPath.size() + body.size()); // untouched
}


BOOST_AUTO_TEST_CASE(hold_survives_a_rewrite_and_is_absent_from_envelopes_never_held)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, "m\r\n");
	QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	BOOST_TEST(!e.held);
	BOOST_TEST(mail::formatEnvelope(e).find("hold") == std::string::npos);
	e.held = true;
	queue.update(e);
	QueueEnvelope back;
	BOOST_REQUIRE(queue.load(id, back));
	BOOST_TEST(back.held);
	BOOST_TEST(queue.scan().front().held);
	back.held = false;
	BOOST_TEST(!mail::parseEnvelope(mail::formatEnvelope(back)).held);
}


BOOST_AUTO_TEST_CASE(ids_are_unique_and_time_ordered)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	std::vector<std::string> ids;
	ids.reserve(50);
	for (int i = 0; i < 50; ++i) ids.push_back(queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, "x\r\n"));
	BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
	const auto scanned = queue.scan();
	BOOST_REQUIRE(scanned.size() == ids.size());
	for (std::size_t i = 0; i < ids.size(); ++i) BOOST_TEST(scanned[i].id == ids[i]);
}


BOOST_AUTO_TEST_CASE(update_keeps_states_and_awkward_diagnostics)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "", {"x@y.example", "z@y.example"}, "m\r\n");
	QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	e.attempts = 3;
	e.nextAttempt = 12345;
	e.recipients[0] = QueuedRecipient{"x@y.example", RecipientState::Failed, "5.1.1", "mx.y.example",
		"550 5.1.1 tab\there\r\nnew line \\ backslash"};
	e.recipients[1].state = RecipientState::Delivered;
	queue.update(e);

	QueueEnvelope back;
	BOOST_REQUIRE(queue.load(id, back));
	BOOST_TEST(back.sender.empty());
	BOOST_TEST(back.attempts == 3u);
	BOOST_TEST(back.nextAttempt == 12345);
	BOOST_TEST(back.recipients[0].diagnostic == e.recipients[0].diagnostic);
	BOOST_TEST(back.recipients[0].remoteMta == "mx.y.example");
	BOOST_TEST(back.recipients[0].status == "5.1.1");
	BOOST_TEST((back.recipients[0].state == RecipientState::Failed));
	BOOST_TEST((back.recipients[1].state == RecipientState::Delivered));
	BOOST_TEST(!back.finished());
	back.recipients[0].state = RecipientState::Bounced;
	BOOST_TEST(back.finished());
}


BOOST_AUTO_TEST_CASE(remove_deletes_the_entry_and_its_state)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, "x\r\n");
	QueueEnvelope tried;
	BOOST_REQUIRE(queue.load(id, tried));
	tried.attempts = 1;
	queue.update(tried);
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{id + ".mail", id + ".state"}));
	queue.remove(id);
	QueueEnvelope e;
	BOOST_TEST(!queue.load(id, e));
	// The entry's file is kept for its inode (RecycledEntries); the next start removes it.
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{"0.free"}));
	BOOST_TEST(queue.recycled() == 1u);
	BOOST_TEST(queue.scan().empty());
	BOOST_TEST(filesIn(tmp.path()).empty());
}


BOOST_AUTO_TEST_CASE(a_finished_entry_s_file_is_reused_empty_only_after_a_directory_sync)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const auto inodeOf = [](int fd) {
		struct stat st;
		BOOST_REQUIRE(::fstat(fd, &st) == 0);
		return std::make_pair(st.st_ino, st.st_size);
	};
	const std::string first = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, messageFor("a@x.example"));
	struct stat old;
	BOOST_REQUIRE(::stat(tmp.file(first + ".mail").c_str(), &old) == 0);
	queue.remove(first);
	BOOST_TEST(queue.recycled() == 1u);
	// Its rename is not yet covered by a directory fsync (a crash could bring the entry
	// back): a new spool is a new file.
	mail::OpenFile early = queue.createSpool("early");
	BOOST_TEST(inodeOf(early.fd).first != old.st_ino);
	::close(early.fd);
	::unlink(early.path.c_str());
	// The next enqueue's group commit syncs the directory: then the file is taken over, empty.
	const std::string second = queue.enqueue(mail::newEnvelopeId(), "c@x.example", {"d@y.example"}, "x\r\n");
	mail::OpenFile reused = queue.createSpool("late");
	BOOST_TEST(reused.path == tmp.file("late.mail.tmp"));
	BOOST_TEST((inodeOf(reused.fd) == std::make_pair(old.st_ino, static_cast<off_t>(0))));
	BOOST_TEST(queue.recycled() == 0u);
	::close(reused.fd);
	BOOST_TEST(queue.readMessage(second) == "x\r\n");
	// A large entry is unlinked, never kept (the pool holds little disk).
	const std::string large = queue.enqueue(mail::newEnvelopeId(), "e@x.example", {"f@y.example"}, std::string(70000, 'y') + "\r\n");
	queue.remove(large);
	BOOST_TEST(queue.recycled() == 0u);
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{second + ".mail", "late.mail.tmp"}));
	// scan() at the next start removes temp and free files alike.
	queue.remove(second);
	BOOST_TEST(queue.scan().empty());
	BOOST_TEST(filesIn(tmp.path()).empty());
}


BOOST_AUTO_TEST_CASE(scan_discards_unfinished_writes_and_quarantines_corrupt_entries_whole)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string good = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, "x\r\n");
	tmp.write("0000000001aaaaa0000.msg", "orphan: the envelope was never written\r\n");
	tmp.write("0000000002aaaaa0000.msg.tmp", "half a message");
	tmp.write("0000000003aaaaa0000.env.tmp", "half an envelope");
	tmp.write("0000000004aaaaa0000.msg", "m\r\n");
	tmp.write("0000000004aaaaa0000.env", "version\t1\nid\t0000000004aaaaa0000\n"); // truncated
	tmp.write("0000000005aaaaa0000.env", "version\t1\nid\t0000000005aaaaa0000\nrcpt\tpending\tb@c\t\t\t\nend\n");

	const auto scanned = queue.scan();
	BOOST_REQUIRE(scanned.size() == 1u);
	BOOST_TEST(scanned[0].id == good);
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{good + ".mail", "corrupt"}));
	// The unreadable envelope keeps its message; the envelope without message is set aside too.
	BOOST_TEST(filesIn(queue.corruptDirectory()) == (std::set<std::string>{"0000000004aaaaa0000.env", "0000000004aaaaa0000.msg", "0000000005aaaaa0000.env"}));
	BOOST_TEST(mail::readWholeFile(queue.corruptDirectory() + "/0000000004aaaaa0000.msg") == "m\r\n");
	// A second start finds nothing more to do and deletes nothing in corrupt/.
	BOOST_TEST(queue.scan().size() == 1u);
	BOOST_TEST(filesIn(queue.corruptDirectory()).size() == 3u);
}


BOOST_AUTO_TEST_CASE(a_truncated_message_is_quarantined_at_scan_and_never_read_out)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string message = "Subject: t\r\n\r\n" + std::string(5000, 'y') + "\r\n";
	const std::string cut = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, message);
	const std::string later = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example"}, message);
	QueueEnvelope e;
	BOOST_REQUIRE(queue.load(cut, e));
	BOOST_TEST(e.size == static_cast<std::int64_t>(message.size()));
	for (const auto& id: {cut, later}) // the disk lost the tail
		BOOST_REQUIRE(::truncate(tmp.file(id + ".mail").c_str(), 1000) == 0);

	BOOST_CHECK_THROW(queue.readMessage(later), Poco::DataFormatException);
	BOOST_TEST(!queue.load(later, e));
	const auto scanned = queue.scan();
	BOOST_TEST(scanned.empty());
	BOOST_TEST(filesIn(queue.corruptDirectory()) == (std::set<std::string>{cut + ".mail", later + ".mail"}));
}


BOOST_AUTO_TEST_CASE(version_1_envelopes_without_size_are_still_recovered)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	tmp.write("00000000010000000002.msg", "Subject: old\r\n\r\nbody\r\n");
	tmp.write("00000000010000000002.env",
		"version\t1\nid\t00000000010000000002\nsender\ta@x.example\narrival\t5\n"
		"attempts\t1\nnext\t7\nrcpt\tpending\tb@y.example\t\t\t\nend\n");
	const auto scanned = queue.scan();
	BOOST_REQUIRE(scanned.size() == 1u);
	BOOST_TEST(scanned[0].size == -1);
	BOOST_TEST(scanned[0].attempts == 1u);
	BOOST_TEST(queue.readMessage("00000000010000000002") == "Subject: old\r\n\r\nbody\r\n");
	// Rewritten in the format it was read in (there is no size to record), keeping what it had.
	queue.update(scanned[0]);
	BOOST_TEST(mail::readWholeFile(tmp.file("00000000010000000002.env")).find("version\t1\n") == 0u);
	QueueEnvelope back;
	BOOST_REQUIRE(queue.load("00000000010000000002", back));
	BOOST_TEST(back.nextAttempt == 7);
}


BOOST_AUTO_TEST_CASE(concurrent_enqueues_updates_and_removes_share_commits_and_each_entry_is_whole)
{
	TempDir tmp;
	RelayQueue queue(tmp.file("queue"));
	constexpr int kThreads = 8;
	constexpr int kEach = 20;
	std::vector<std::thread> writers;
	writers.reserve(kThreads);
	std::vector<std::vector<std::string>> kept(kThreads);
	std::atomic<int> broken{0};
	for (int t = 0; t < kThreads; ++t)
	{
		writers.emplace_back([&, t] {
			for (int i = 0; i < kEach; ++i)
			{
				const std::string sender = "s" + std::to_string(t) + "-" + std::to_string(i) + "@x.example";
				const std::string id = queue.enqueue(mail::newEnvelopeId(), sender, {"r@y.example"}, messageFor(sender));
				// Returned only when in place: its file is there, whole, right now.
				QueueEnvelope e;
				if (!queue.load(id, e) || e.sender != sender || queue.readMessage(id) != messageFor(sender)) ++broken;
				if (i % 2 == 0)
				{
					queue.remove(id);
					if (queue.load(id, e)) ++broken;
					continue;
				}
				e.attempts = 7;
				queue.update(e);
				QueueEnvelope back;
				if (!queue.load(id, back) || back.attempts != 7u) ++broken;
				kept[t].push_back(id);
			}
		});
	}
	for (auto& w: writers) w.join();
	BOOST_TEST(broken.load() == 0);
	std::set<std::string> expected;
	for (const auto& list: kept)
	{
		for (const auto& id: list)
		{
			expected.insert(id + ".mail");
			expected.insert(id + ".state");
		}
	}
	BOOST_TEST(expected.size() == 2u * kThreads * kEach / 2);
	std::set<std::string> left = filesIn(tmp.file("queue"));
	for (auto it = left.begin(); it != left.end();)
	{
		// Removed entries kept for reuse (RecycledEntries): not entries, gone at the next scan().
		if (mail::RecycledEntries::isFree(*it)) it = left.erase(it);
		else ++it;
	}
	BOOST_TEST(left == expected); // no temp file, nothing removed left behind
	const auto scanned = queue.scan();
	BOOST_TEST(scanned.size() == static_cast<std::size_t>(kThreads * kEach / 2));
	for (const auto& e: scanned) BOOST_TEST(e.attempts == 7u);
}


BOOST_AUTO_TEST_CASE(parse_rejects_bad_envelopes)
{
	const char* bad[] = {
		"",
		"version\t1\nid\tx\nsender\ta@b\n",                                   // no recipients, no end
		"version\t1\nid\tx\nsender\ta@b\nrcpt\tpending\tb@c\t\t\t\n",         // no end line
		"version\t3\nid\tx\nrcpt\tpending\tb@c\t\t\t\nend\n",                 // unknown version
		"version\t2\nid\tx\nrcpt\tpending\tb@c\t\t\t\nend\n",                 // version 2 without size
		"version\t1\nid\tx\nrcpt\tlost\tb@c\t\t\t\nend\n",                    // unknown state
		"version\t1\nid\tx\nrcpt\tpending\tb@c\nend\n",                       // short recipient line
		"version\t1\nid\tx\nattempts\tmany\nrcpt\tpending\tb@c\t\t\t\nend\n", // not a number
		"version\t1\nid\tx\ncolour\tred\nrcpt\tpending\tb@c\t\t\t\nend\n",    // unknown key
	};
	for (const char* text: bad)
	{
		BOOST_CHECK_THROW(mail::parseEnvelope(text), Poco::Exception);
	}
}


BOOST_AUTO_TEST_CASE(enqueue_without_recipients_is_refused)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	BOOST_CHECK_THROW(queue.enqueue(mail::newEnvelopeId(), "a@x.example", {}, "x\r\n"), Poco::Exception);
	BOOST_TEST(filesIn(tmp.path()).empty());
}


BOOST_AUTO_TEST_CASE(list_shows_each_envelope_and_touches_nothing)
{
	TempDir tmp;
	RelayQueue queue(tmp.file("queue"));
	BOOST_TEST(queue.list().empty());
	BOOST_TEST(!Poco::File(tmp.file("queue")).exists()); // not even the directory is created

	const std::string id = queue.enqueue(mail::newEnvelopeId(), "a@x.example", {"b@y.example", "c@z.example"}, "x\r\n");
	QueueEnvelope envelope;
	BOOST_REQUIRE(queue.load(id, envelope));
	envelope.attempts = 2;
	envelope.nextAttempt = envelope.arrival + 600;
	envelope.recipients[1].state = RecipientState::Delivered;
	envelope.recipients[1].status = "2.0.0";
	envelope.recipients[1].remoteMta = "mx.z.example";
	envelope.recipients[1].diagnostic = "250 2.0.0 ok";
	queue.update(envelope);
	// Leftovers that scan() would delete or rename: an interrupted write, an orphan message,
	// an unreadable envelope.
	tmp.write("queue/00000000000000000001.msg.tmp", "half");
	tmp.write("queue/00000000000000000002.msg", "orphan");
	tmp.write("queue/00000000000000000003.msg", "m");
	tmp.write("queue/00000000000000000003.env", "garbage");
	const std::set<std::string> before = filesIn(tmp.file("queue"));

	const std::vector<QueueEnvelope> listed = queue.list();
	BOOST_TEST(filesIn(tmp.file("queue")) == before);
	BOOST_REQUIRE(listed.size() == 1u);
	const QueueEnvelope& e = listed.front();
	BOOST_TEST(e.id == id);
	BOOST_TEST(e.sender == "a@x.example");
	BOOST_TEST(e.arrival == envelope.arrival);
	BOOST_TEST(e.attempts == 2u);
	BOOST_TEST(e.nextAttempt == envelope.arrival + 600);
	BOOST_REQUIRE(e.recipients.size() == 2u);
	BOOST_TEST((e.recipients[0].state == RecipientState::Pending));
	BOOST_TEST((e.recipients[1].state == RecipientState::Delivered));
	BOOST_TEST(e.recipients[1].status == "2.0.0");
	BOOST_TEST(e.recipients[1].remoteMta == "mx.z.example");
	BOOST_TEST(e.recipients[1].diagnostic == "250 2.0.0 ok");
}


BOOST_AUTO_TEST_CASE(list_beside_concurrent_enqueues_keeps_every_file_and_sees_only_whole_entries)
{
	TempDir tmp;
	RelayQueue queue(tmp.file("queue"));
	queue.enqueue(mail::newEnvelopeId(), "first@x.example", {"b@y.example"}, messageFor("first@x.example")); // directory exists
	constexpr int kThreads = 4;
	constexpr int kEach = 25;
	std::atomic<int> writersLeft{kThreads};
	std::vector<std::thread> writers;
	writers.reserve(kThreads);
	for (int t = 0; t < kThreads; ++t)
	{
		writers.emplace_back([&, t] {
			for (int i = 0; i < kEach; ++i)
			{
				const std::string sender = "s" + std::to_string(t) + "-" + std::to_string(i) + "@x.example";
				queue.enqueue(mail::newEnvelopeId(), sender, {"r" + std::to_string(i) + "@y.example"}, messageFor(sender));
			}
			--writersLeft;
		});
	}
	std::size_t lists = 0, lastSize = 0, halfWritten = 0;
	while (writersLeft.load() > 0 || lists < 10)
	{
		const std::vector<QueueEnvelope> listed = queue.list();
		++lists;
		BOOST_CHECK(listed.size() >= lastSize); // nothing listed before disappears
		lastSize = listed.size();
		for (const QueueEnvelope& e: listed)
		{
			// Whole: the envelope parsed, and its message is complete on disk.
			if (e.recipients.size() != 1 || queue.readMessage(e.id) != messageFor(e.sender)) ++halfWritten;
		}
	}
	for (auto& w: writers) w.join();
	BOOST_TEST(halfWritten == 0u);
	BOOST_TEST(lists >= 10u);
	const std::set<std::string> files = filesIn(tmp.file("queue"));
	BOOST_TEST(files.size() == static_cast<std::size_t>(kThreads * kEach + 1)); // one file each
	for (const auto& name: files) BOOST_TEST((name.size() > 5 && name.substr(name.size() - 5) == ".mail"), name);
	BOOST_TEST(queue.list().size() == static_cast<std::size_t>(kThreads * kEach + 1));
}


BOOST_AUTO_TEST_SUITE_END()
