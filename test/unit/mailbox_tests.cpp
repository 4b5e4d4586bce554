// mailbox_tests.cpp - Maildir snapshot, unique ids, byte-stuffing, TOP and deletions; mailbox lock.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/imap/imap_mailbox.h"
#include "server/store/mailbox.h"
#include "server/store/mailbox_lock.h"

#include <Poco/File.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using mail::Mailbox;
using mail::MailboxLock;


namespace {


struct MaildirFixture
{
	mail::test::TempDir dir;
	std::string box;

	MaildirFixture():
		box(dir.file("u@example.com"))
	{
		for (const char* sub: {"", "/tmp", "/new", "/cur"}) Poco::File(box + sub).createDirectories();
	}

	/// Writes a message the way MaildirStore names it; returns the base name.
	std::string deliver(const std::string& content, const std::string& stamp, const std::string& sub = "new",
		const std::string& flags = "", bool sizeInName = true)
	{
		std::string base = stamp + ".host" + (sizeInName ? ",S=" + std::to_string(content.size()) : "");
		dir.write("u@example.com/" + sub + "/" + base + flags, content);
		return base;
	}
};


std::string retr(const Mailbox& mailbox, std::uint64_t n)
{
	std::string out, scratch;
	BOOST_REQUIRE(mailbox.appendMessage(n, out, scratch));
	return out;
}


std::string stuffed(const std::string& data)
{
	std::string out;
	mail::appendStuffed(out, data.data(), data.size());
	return out;
}


} // namespace


BOOST_AUTO_TEST_SUITE(mailbox_tests)


BOOST_AUTO_TEST_CASE(byte_stuffing_table)
{
	const std::pair<const char*, const char*> rows[] = {
		{"", ".\r\n"},
		{"a\r\n", "a\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"},
		{"a\r\n..x\r\n", "a\r\n...x\r\n.\r\n"},
		{"x.y\r\n.\r\n.\r\n", "x.y\r\n..\r\n..\r\n.\r\n"},
		{"no end", "no end\r\n.\r\n"},
		{"a\r\n.", "a\r\n..\r\n.\r\n"},
	};
	for (const auto& row: rows)
	{
		BOOST_CHECK_MESSAGE(stuffed(row.first) == row.second, "input \"" << row.first << "\" gave \"" << stuffed(row.first) << "\"");
	}
}


BOOST_AUTO_TEST_CASE(lf_stored_messages_are_sent_with_crlf)
{
	struct Row
	{
		std::string file;
		bool lfStored;
		std::string sent;
	};
	const Row rows[] = {
		{"a\n.b\n\nc\n", true, "a\r\n..b\r\n\r\nc\r\n.\r\n"},
		{"cr in content\r\n", true, "cr in content\r\r\n.\r\n"}, // W= files: the CR was sent as content
		{"crlf\r\nbare\n", false, "crlf\r\nbare\r\n.\r\n"},      // other files: only bare LF changes
		{".\n", true, "..\r\n.\r\n"},
	};
	for (const Row& row: rows)
	{
		std::string out;
		mail::appendStuffed(out, row.file.data(), row.file.size(), row.lfStored);
		BOOST_CHECK_MESSAGE(out == row.sent, "file \"" << row.file << "\" gave \"" << out << "\"");
	}
	BOOST_TEST(mail::wireSize("a\nb\r\nc", 7) == 8u);
}


BOOST_FIXTURE_TEST_CASE(lf_file_sizes_and_retr_match_the_wire, MaildirFixture)
{
	// Stored as MaildirStore writes it now (LF, S= and W=), as an older version wrote
	// it (CRLF, S= only) and as another program might (LF, no size in the name).
	const std::string crlf = "Subject: x\r\n\r\n.dot\r\nbody\r\n";
	const std::string lf = "Subject: x\n\n.dot\nbody\n";
	dir.write("u@example.com/new/1.M1.host,S=" + std::to_string(lf.size()) + ",W=" + std::to_string(crlf.size()), lf);
	deliver(crlf, "2.M1");
	deliver(lf, "3.M1", "new", "", false);
	Mailbox mailbox(box);
	BOOST_REQUIRE(mailbox.count() == 3u);
	for (std::uint64_t n = 1; n <= 3; ++n)
	{
		BOOST_TEST(mailbox.message(n).size == crlf.size(), "message " << n);
		const std::string sent = retr(mailbox, n);
		BOOST_TEST(sent == "Subject: x\r\n\r\n..dot\r\nbody\r\n.\r\n", "message " << n);
	}
	BOOST_TEST(mailbox.liveSize() == 3 * crlf.size());
}


BOOST_AUTO_TEST_CASE(top_length_table)
{
	const std::string msg = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
	struct Row
	{
		std::string data;
		std::uint64_t lines;
		std::string expect;
	};
	const Row rows[] = {
		{msg, 0, "A: 1\r\nB: 2\r\n\r\n"},
		{msg, 1, "A: 1\r\nB: 2\r\n\r\nl1\r\n"},
		{msg, 3, msg},
		{msg, 1000, msg},
		{"A: 1\r\nno blank line", 5, "A: 1\r\nno blank line"},
		{"\r\nbody\r\n", 0, "\r\n"},
		{"A: 1\n\nbody\n", 0, "A: 1\n\n"},
	};
	for (const Row& row: rows)
	{
		const std::size_t n = mail::topLength(row.data.data(), row.data.size(), row.lines);
		BOOST_CHECK_MESSAGE(row.data.substr(0, n) == row.expect, "lines " << row.lines << " of \"" << row.data << "\"");
	}
}


BOOST_AUTO_TEST_CASE(uid_and_size_hint)
{
	BOOST_TEST(mail::maildirUid("1700000000.M1P2Q3.host,S=10:2,S") == "1700000000.M1P2Q3.host,S=10");
	BOOST_TEST(mail::maildirUid("1700000000.M1P2Q3.host,S=10") == "1700000000.M1P2Q3.host,S=10");
	const std::string longName(71, 'a');
	const std::string hashed = mail::maildirUid(longName);
	BOOST_TEST(hashed.size() == 17u);
	BOOST_TEST(hashed[0] == 'h');
	BOOST_TEST(mail::maildirUid(longName) == hashed); // stable
	BOOST_TEST(mail::maildirUid(std::string(70, 'a')) == std::string(70, 'a'));
	BOOST_TEST(mail::maildirUid("with space") != "with space");
	BOOST_TEST(mail::maildirUid("with space").size() == 17u);

	std::uint64_t size = 0;
	BOOST_TEST(mail::maildirSizeHint("1.M2.host,S=1234", size));
	BOOST_TEST(size == 1234u);
	BOOST_TEST(mail::maildirSizeHint("1.M2.host,S=99:2,S", size));
	BOOST_TEST(size == 99u);
	BOOST_TEST(mail::maildirSizeHint("1.M2.host,S=5,W=6", size));
	BOOST_TEST(size == 5u);
	BOOST_TEST(!mail::maildirSizeHint("1.M2.host", size));
	BOOST_TEST(!mail::maildirSizeHint("1.M2.host,S=", size));
	BOOST_TEST(!mail::maildirSizeHint("1.M2.host,S=12x", size));
}


BOOST_FIXTURE_TEST_CASE(retr_reads_the_whole_file_once_and_leaves_it_in_scratch, MaildirFixture)
{
	// S= below the real size (a file another program grew): the read goes on past the
	// announced size; S= above it: the short read is the end. Either way scratch holds the
	// file as stored afterwards (the journal's Message-ID comes from there).
	const std::string grown = "Message-ID: <grown@x>\r\n\r\n" + std::string(70000, 'g') + "\r\n";
	const std::string shrunk = "Message-ID: <shrunk@x>\r\n\r\nshort\r\n";
	dir.write("u@example.com/new/1700000000.M1P1Q1.host,S=10", grown);
	dir.write("u@example.com/new/1700000001.M1P1Q2.host,S=999", shrunk);
	Mailbox mailbox(box);
	std::string out, scratch;
	BOOST_REQUIRE(mailbox.appendMessage(1, out, scratch));
	BOOST_TEST(scratch == grown);
	BOOST_TEST(out == grown + ".\r\n");
	out.clear();
	BOOST_REQUIRE(mailbox.appendMessage(2, out, scratch));
	BOOST_TEST(scratch == shrunk);
	BOOST_TEST(out == shrunk + ".\r\n");
}


BOOST_FIXTURE_TEST_CASE(snapshot_numbers_in_delivery_order_with_exact_sizes, MaildirFixture)
{
	const std::string m1 = "Subject: one\r\n\r\nfirst\r\n";
	const std::string m2 = "Subject: two\r\n\r\n.dot line\r\n";
	const std::string m3 = "Subject: three\r\n\r\nthird\r\n";
	// Same second, microseconds without padding: numeric order, not string order.
	deliver(m3, "1700000001.M20P1Q3", "cur", ":2,S");
	deliver(m2, "1700000000.M100000P1Q2", "new", "", false);
	deliver(m1, "1700000000.M9P1Q1");
	dir.write("u@example.com/new/.hidden", "x");
	Mailbox mailbox(box);
	BOOST_REQUIRE_EQUAL(mailbox.count(), 3u);
	BOOST_TEST(mailbox.message(1).size == m1.size());
	BOOST_TEST(mailbox.message(2).size == m2.size());
	BOOST_TEST(mailbox.message(3).size == m3.size());
	BOOST_TEST(mailbox.liveSize() == m1.size() + m2.size() + m3.size());
	BOOST_TEST(mailbox.message(3).uid == "1700000001.M20P1Q3.host,S=" + std::to_string(m3.size()));
	BOOST_TEST(retr(mailbox, 1) == m1 + ".\r\n");
	BOOST_TEST(retr(mailbox, 2) == "Subject: two\r\n\r\n..dot line\r\n.\r\n");

	std::string out, scratch;
	BOOST_TEST(mailbox.appendTop(3, 0, out, scratch));
	BOOST_TEST(out == "Subject: three\r\n\r\n.\r\n");
}


BOOST_FIXTURE_TEST_CASE(missing_directories_are_an_empty_mailbox, MaildirFixture)
{
	Mailbox mailbox(dir.file("nobody@example.com"));
	BOOST_TEST(mailbox.count() == 0u);
	BOOST_TEST(mailbox.liveSize() == 0u);
	BOOST_TEST(!mailbox.exists(1));
}


BOOST_FIXTURE_TEST_CASE(deletions_only_on_commit_and_rset_undoes, MaildirFixture)
{
	deliver("a\r\n", "1700000000.M1P1Q1");
	deliver("bb\r\n", "1700000000.M2P1Q2", "cur", ":2,");
	deliver("ccc\r\n", "1700000000.M3P1Q3");
	Mailbox mailbox(box);
	mailbox.markDeleted(1);
	mailbox.markDeleted(2);
	BOOST_TEST(!mailbox.exists(1));
	BOOST_TEST(mailbox.liveCount() == 1u);
	BOOST_TEST(mailbox.liveSize() == 5u);
	mailbox.undeleteAll();
	BOOST_TEST(mailbox.liveCount() == 3u);
	BOOST_TEST(mailbox.exists(1));
	mailbox.markDeleted(2);
	mailbox.markDeleted(3);
	BOOST_TEST(Mailbox(box).count() == 3u); // nothing removed before the commit
	BOOST_TEST(mailbox.commitDeletions() == 0u);
	Mailbox after(box);
	BOOST_REQUIRE_EQUAL(after.count(), 1u);
	BOOST_TEST(retr(after, 1) == "a\r\n.\r\n");
}


BOOST_FIXTURE_TEST_CASE(file_gone_before_commit_counts_as_removed, MaildirFixture)
{
	const std::string base = deliver("a\r\n", "1700000000.M1P1Q1");
	Mailbox mailbox(box);
	mailbox.markDeleted(1);
	Poco::File(box + "/new/" + base).remove();
	BOOST_TEST(mailbox.commitDeletions() == 0u);
	std::string out, scratch;
	BOOST_TEST(!mailbox.appendMessage(1, out, scratch)); // unreadable: reported, nothing appended
	BOOST_TEST(out.empty());
}


BOOST_FIXTURE_TEST_CASE(a_message_read_again_comes_from_the_crlf_cache_until_deleted, MaildirFixture)
{
	mail::CrlfCache cache(std::size_t{1024} * 1024);
	const std::string base = deliver("Message-ID: <m1@x>\r\n\r\n.dot\r\n", "1700000000.M1P1Q1");
	Mailbox mailbox(box, cache);
	std::string out, scratch;
	const auto first = mailbox.appendMessage(1, out, scratch);
	BOOST_REQUIRE(first);
	BOOST_TEST(out == "Message-ID: <m1@x>\r\n\r\n..dot\r\n.\r\n");
	// Kept: the CRLF form (IMAP's literal), its Message-ID for the journal, and that RETR
	// must stuff it.
	BOOST_TEST(first->text == "Message-ID: <m1@x>\r\n\r\n.dot\r\n");
	BOOST_TEST(first->messageId == "<m1@x>");
	BOOST_TEST(first->dotLines);
	BOOST_TEST(first->stuffed == "Message-ID: <m1@x>\r\n\r\n..dot\r\n");
	BOOST_TEST(cache.bytes() == first->text.size() + first->stuffed.size());
	// Read again: the kept text itself, the file not converted again.
	std::string again;
	BOOST_TEST(mailbox.appendMessage(1, again, scratch) == first);
	BOOST_TEST(again == out);
	// DELE + QUIT forgets it: the memory goes with the file.
	mailbox.markDeleted(1);
	BOOST_TEST(mailbox.commitDeletions() == 0u);
	BOOST_TEST(cache.bytes() == 0u);
}


BOOST_FIXTURE_TEST_CASE(a_file_replaced_behind_the_server_is_read_afresh_at_the_next_login, MaildirFixture)
{
	// A restore puts another file under a kept message's name (a new file: a new inode).
	mail::CrlfCache cache(std::size_t{1024} * 1024);
	const std::string base = deliver("Subject: first\r\n\r\na\r\n", "1700000000.M1P1Q1");
	Mailbox before(box, cache);
	BOOST_TEST(retr(before, 1) == "Subject: first\r\n\r\na\r\n.\r\n");
	dir.write("u@example.com/tmp/restored", "Subject: other\r\n\r\nb\r\n");
	Poco::File(box + "/tmp/restored").renameTo(box + "/new/" + base);
	// The session that listed the first file still gets its text, the size its LIST gave.
	std::string out, scratch;
	BOOST_REQUIRE(before.appendMessage(1, out, scratch));
	BOOST_TEST(out == "Subject: first\r\n\r\na\r\n.\r\n");
	// The next login's scan sees the new inode: the kept text is not served, the file is read.
	Mailbox after(box, cache);
	BOOST_TEST(retr(after, 1) == "Subject: other\r\n\r\nb\r\n.\r\n");
	BOOST_TEST(retr(after, 1) == "Subject: other\r\n\r\nb\r\n.\r\n"); // and kept
	// The first session's snapshot names the old inode, which the kept text no longer is:
	// the name is read as it is now (as a session that never had it kept would).
	std::string again;
	BOOST_REQUIRE(before.appendMessage(1, again, scratch));
	BOOST_TEST(again == "Subject: other\r\n\r\nb\r\n.\r\n");
}


BOOST_FIXTURE_TEST_CASE(a_file_removed_behind_the_server_is_its_kept_text_or_an_error, MaildirFixture)
{
	mail::CrlfCache cache(std::size_t{1024} * 1024);
	const std::string kept = deliver("Subject: kept\r\n\r\na\r\n", "1700000000.M1P1Q1");
	const std::string unread = deliver("Subject: unread\r\n\r\nb\r\n", "1700000001.M1P1Q1");
	Mailbox mailbox(box, cache);
	BOOST_TEST(retr(mailbox, 1) == "Subject: kept\r\n\r\na\r\n.\r\n");
	Poco::File(box + "/new/" + kept).remove();
	Poco::File(box + "/new/" + unread).remove();
	// In the session that listed them: the kept one is its own text, the other an error.
	std::string out, scratch;
	BOOST_REQUIRE(mailbox.appendMessage(1, out, scratch));
	BOOST_TEST(out == "Subject: kept\r\n\r\na\r\n.\r\n");
	std::string gone;
	BOOST_TEST(!mailbox.appendMessage(2, gone, scratch));
	BOOST_TEST(gone.empty());
	// The next login does not list them.
	BOOST_TEST(Mailbox(box, cache).count() == 0u);
}


BOOST_FIXTURE_TEST_CASE(imap_and_pop3_reads_share_one_crlf_cache_entry_dropped_on_rename_and_expunge, MaildirFixture)
{
	mail::CrlfCache cache(std::size_t{1024} * 1024);
	deliver("Message-ID: <s@x>\nSubject: s\n\nbody\n", "1700000000.M1P1Q1", "new", "", false);
	Mailbox mailbox(box, cache);
	std::string scratch;
	const auto retr = mailbox.read(1, scratch);
	BOOST_REQUIRE(retr);
	BOOST_TEST(retr->text == "Message-ID: <s@x>\r\nSubject: s\r\n\r\nbody\r\n");
	BOOST_TEST(!retr->dotLines);
	BOOST_TEST(retr->stuffed.empty()); // no line starts with '.': RETR sends text as it is
	mail::ImapMailbox imap(box, cache);
	BOOST_TEST(imap.text(1, scratch) == retr); // the same kept text, not read again
	// \Seen renames the file: the old name's entry goes; the new name is read afresh.
	BOOST_REQUIRE(imap.setFlags(1, "S"));
	BOOST_TEST(cache.bytes() == 0u);
	const auto seen = imap.text(1, scratch);
	BOOST_REQUIRE(seen);
	BOOST_TEST(seen != retr);
	BOOST_TEST(seen->text == retr->text);
	BOOST_TEST(seen->messageId == "<s@x>");
	BOOST_REQUIRE(imap.setFlags(1, "ST"));
	BOOST_TEST(imap.text(1, scratch));
	BOOST_TEST(imap.expunge().size() == 1u);
	BOOST_TEST(cache.bytes() == 0u); // the memory goes with the file
}


BOOST_FIXTURE_TEST_CASE(the_crlf_cache_keeps_at_most_its_bytes_dropping_the_least_recently_used, MaildirFixture)
{
	for (const char* name: {"a", "b", "c", "d", "e", "big"}) dir.write(std::string("u@example.com/new/") + name, name);
	const auto at = [&](const char* name) { return box + "/new/" + name; };
	mail::CrlfCache cache(400);
	const auto text = [](char c) { return mail::CrlfCache::convert(std::string(100, c).data(), 100, false); };
	const auto find = [&](const char* name) { return cache.find(mail::CrlfCache::File{at(name)}); };
	cache.keep(at("a"), text('a'));
	cache.keep(at("b"), text('b'));
	cache.keep(at("c"), text('c'));
	cache.keep(at("d"), text('d'));
	BOOST_TEST(cache.bytes() == 400u);
	BOOST_REQUIRE(find("a"));       // used: now the most recent
	cache.keep(at("e"), text('e')); // over 400: /b, the least recently used, goes
	BOOST_TEST(cache.bytes() == 400u);
	BOOST_TEST(!find("b"));
	BOOST_TEST(find("a"));
	BOOST_TEST(find("e"));
	cache.keep(at("big"), mail::CrlfCache::convert(std::string(101, 'x').data(), 101, false)); // over a quarter: not kept
	BOOST_TEST(!find("big"));
	cache.forget(at("a"));
	BOOST_TEST(!find("a"));
	BOOST_TEST(cache.bytes() == 300u);
}


BOOST_FIXTURE_TEST_CASE(lock_is_exclusive_in_process_and_released, MaildirFixture)
{
	const std::string other = dir.file("v@example.com");
	MailboxLock first, second, third;
	BOOST_TEST((first.acquire(box) == MailboxLock::Result::Acquired));
	BOOST_TEST((second.acquire(box) == MailboxLock::Result::Busy));
	BOOST_TEST(!second.held());
	BOOST_TEST((third.acquire(other) == MailboxLock::Result::Acquired)); // other mailbox unaffected
	BOOST_TEST(Poco::File(other + "/new").isDirectory());                // created on first use
	first.release();
	BOOST_TEST((second.acquire(box) == MailboxLock::Result::Acquired));
	{
		MailboxLock scoped;
		BOOST_TEST((scoped.acquire(dir.file("w@example.com")) == MailboxLock::Result::Acquired));
	}
	MailboxLock again;
	BOOST_TEST((again.acquire(dir.file("w@example.com")) == MailboxLock::Result::Acquired)); // destructor released it
}


BOOST_FIXTURE_TEST_CASE(lock_respects_flock_of_another_process, MaildirFixture)
{
	// A separate open file description behaves like another process holding the lock.
	const std::string lockFile = box + "/.lock";
	const int fd = ::open(lockFile.c_str(), O_RDWR | O_CREAT, 0600);
	BOOST_REQUIRE(fd >= 0);
	BOOST_REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
	MailboxLock lock;
	BOOST_TEST((lock.acquire(box) == MailboxLock::Result::Busy));
	::close(fd); // the "other process" dies: the kernel drops its lock
	BOOST_TEST((lock.acquire(box) == MailboxLock::Result::Acquired));
}


BOOST_FIXTURE_TEST_CASE(lock_creates_missing_mail_root_and_maildir, MaildirFixture)
{
	// A login before any mail was ever delivered to this server.
	const std::string fresh = dir.file("data/mail/new@example.com");
	Poco::File(dir.file("data")).createDirectories();
	MailboxLock lock;
	BOOST_TEST((lock.acquire(fresh) == MailboxLock::Result::Acquired));
	for (const char* sub: {"/tmp", "/new", "/cur"}) BOOST_TEST(Poco::File(fresh + sub).isDirectory());
	BOOST_TEST(Mailbox(fresh).count() == 0u);
}


BOOST_FIXTURE_TEST_CASE(lock_fails_cleanly_when_path_unusable, MaildirFixture)
{
	dir.write("file", "not a directory");
	MailboxLock lock;
	BOOST_TEST((lock.acquire(dir.file("file/box")) == MailboxLock::Result::Failed));
	BOOST_TEST(!lock.held());
}


BOOST_AUTO_TEST_SUITE_END()
