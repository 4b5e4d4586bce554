// maildir_store_tests.cpp - Maildir delivery: layout, names, links, cleanup on failure.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/store/maildir_store.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <cctype>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using mail::MaildirStore;


BOOST_AUTO_TEST_SUITE(maildir_store_tests)


namespace {


std::vector<std::string> filesIn(const std::string& dir)
{
	std::vector<std::string> out;
	if (!Poco::File(dir).exists()) return out;
	for (Poco::DirectoryIterator it(dir), end; it != end; ++it) out.push_back(it.name());
	return out;
}


std::string readFile(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::string out;
	Poco::StreamCopier::copyToString(in, out);
	return out;
}


/// `<digits>.M<digits>P<digits>Q<digits>.<host>,S=<size>` (no std::regex: GCC 12 warns in it at -O1)
bool isMaildirName(const std::string& name, const std::string& host, std::size_t size, std::size_t wire)
{
	std::size_t i = 0;
	auto digits = [&] {
		const std::size_t start = i;
		while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
		return i > start;
	};
	auto literal = [&](const std::string& text) {
		if (name.compare(i, text.size(), text) != 0) return false;
		i += text.size();
		return true;
	};
	return digits() && literal(".M") && digits() && literal("P") && digits() && literal("Q") && digits()
		&& literal("." + host + ",S=" + std::to_string(size) + ",W=" + std::to_string(wire)) && i == name.size();
}


struct TempRoot
{
	TempRoot():
		dir(Poco::TemporaryFile::tempName()) { Poco::File(dir + "/srv.example").createDirectories(); }
	~TempRoot() { Poco::File(dir).remove(true); }
	std::string mail() const { return dir + "/srv.example/mail"; }
	std::string dir;
};


} // namespace


BOOST_AUTO_TEST_CASE(spool_file_is_hard_linked_and_stale_spool_files_are_removed)
{
	TempRoot root;
	Poco::File(root.mail() + "/.spool").createDirectories();
	const std::string stale = root.mail() + "/.spool/1.2.3.spool"; // a server killed during DATA
	std::ofstream(stale) << "partial";
	MaildirStore store(root.mail());
	BOOST_TEST(store.spoolDirectory() == root.mail() + "/.spool");
	BOOST_TEST(!Poco::File(stale).exists());
	const std::string spooled = store.spoolDirectory() + "/x.spool";
	std::ofstream(spooled) << "Subject: s\n\nbody\n";
	const std::string name = store.deliverFile({"a@x.org", "b@x.org"}, spooled, 18, 21);
	BOOST_TEST(isMaildirName(name, "srv.example", 18, 21), name);
	struct stat st;
	BOOST_REQUIRE(::stat(spooled.c_str(), &st) == 0); // left for its owner to remove
	BOOST_TEST(st.st_nlink == 3u);                    // the spool name and two new/ links
	BOOST_TEST(readFile(root.mail() + "/b@x.org/new/" + name) == "Subject: s\n\nbody\n");
}


BOOST_AUTO_TEST_CASE(spool_files_are_made_ahead_once_spooling_started_and_removed_with_the_store)
{
	TempRoot root;
	const std::string spool = root.mail() + "/.spool";
	{
		MaildirStore store(root.mail());
		store.prepareSpoolFile(); // nothing spooled yet (a relay-only server): no files made
		BOOST_TEST(!Poco::File(spool).exists());
		mail::OpenFile first = store.takeSpoolFile(); // none ready: created now
		BOOST_TEST(first.fd >= 0);
		BOOST_TEST(filesIn(spool).size() == 1u);
		store.prepareSpoolFile(); // after a 250: the next ones made ahead
		const std::size_t ahead = filesIn(spool).size() - 1;
		BOOST_TEST(ahead >= 1u);
		BOOST_TEST(ahead <= 8u);                       // a few, not one per message to come
		mail::OpenFile second = store.takeSpoolFile(); // one of those, already open
		BOOST_TEST(second.path != first.path);
		BOOST_TEST(filesIn(spool).size() == ahead + 1); // taking one creates nothing
		BOOST_TEST(::write(second.fd, "x\n", 2) == 2);
		::close(first.fd);
		::close(second.fd);
		::unlink(first.path.c_str());
		BOOST_TEST(filesIn(spool).size() == ahead); // second (the caller's) and the spares left
	}
	BOOST_TEST(filesIn(spool).size() == 1u); // the spares went with the store; second is its owner's
}


BOOST_AUTO_TEST_CASE(delivers_once_per_mailbox_with_maildir_name)
{
	TempRoot root;
	MaildirStore store(root.mail());
	// Given with CRLF (as on the wire), stored with LF; W= keeps the RFC 1939 size.
	const std::string message = "Subject: hi\r\n\r\nbody\r\n";
	const std::string stored = "Subject: hi\n\nbody\n";
	const std::string name = store.deliver({"a@x.org", "b@x.org"}, message);
	BOOST_TEST(isMaildirName(name, "srv.example", stored.size(), message.size()), name);
	for (const std::string box: {"a@x.org", "b@x.org"})
	{
		const auto files = filesIn(root.mail() + "/" + box + "/new");
		BOOST_REQUIRE_EQUAL(files.size(), 1u);
		BOOST_TEST(files[0] == name);
		BOOST_TEST(readFile(std::string(root.mail()).append("/").append(box).append("/new/").append(name)) == stored);
		BOOST_TEST(filesIn(root.mail() + "/" + box + "/tmp").empty());
		BOOST_TEST(Poco::File(root.mail() + "/" + box + "/cur").isDirectory());
	}
	struct stat st;
	BOOST_REQUIRE(::stat((root.mail() + "/a@x.org/new/" + name).c_str(), &st) == 0);
	BOOST_TEST(st.st_nlink == 2u); // one file, hard-linked
}


BOOST_AUTO_TEST_CASE(names_are_unique)
{
	TempRoot root;
	MaildirStore store(root.mail(), "h");
	for (int i = 0; i < 50; ++i) store.deliver({"a@x.org"}, "x\r\n");
	BOOST_TEST(filesIn(root.mail() + "/a@x.org/new").size() == 50u);
}


BOOST_AUTO_TEST_CASE(concurrent_deliveries_share_group_commits)
{
	TempRoot root;
	MaildirStore store(root.mail(), "h");
	constexpr int kThreads = 8;
	constexpr int kEach = 40;
	std::vector<std::thread> threads;
	threads.reserve(kThreads);
	for (int t = 0; t < kThreads; ++t)
	{
		threads.emplace_back([&store, t] {
			for (int i = 0; i < kEach; ++i)
				store.deliver({"a@x.org", "b@x.org"}, "T: " + std::to_string(t) + "-" + std::to_string(i) + "\r\n");
		});
	}
	for (auto& thread: threads) thread.join();
	for (const std::string box: {"a@x.org", "b@x.org"})
	{
		BOOST_TEST(filesIn(root.mail() + "/" + box + "/new").size() == static_cast<std::size_t>(kThreads * kEach));
		BOOST_TEST(filesIn(root.mail() + "/" + box + "/tmp").empty());
	}
}


BOOST_AUTO_TEST_CASE(failure_leaves_nothing_behind)
{
	TempRoot root;
	MaildirStore store(root.mail());
	store.ensureMailbox("a@x.org");
	// b's new/ is a plain file: linking into it fails after a's copy was linked.
	Poco::File(root.mail() + "/b@x.org/tmp").createDirectories();
	Poco::File(root.mail() + "/b@x.org/cur").createDirectories();
	Poco::FileOutputStream(root.mail() + "/b@x.org/new") << "not a directory";
	BOOST_CHECK_THROW(store.deliver({"a@x.org", "b@x.org"}, "x\r\n"), Poco::Exception);
	BOOST_TEST(filesIn(root.mail() + "/a@x.org/new").empty());
	BOOST_TEST(filesIn(root.mail() + "/a@x.org/tmp").empty());
}


BOOST_AUTO_TEST_CASE(rejects_names_leaving_the_root)
{
	TempRoot root;
	MaildirStore store(root.mail());
	for (const std::string bad: {"../x", "", ".hidden", "a/b"})
		BOOST_CHECK_THROW(store.deliver({bad}, "x\r\n"), Poco::Exception);
}


BOOST_AUTO_TEST_SUITE_END()
