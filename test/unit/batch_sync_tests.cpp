// batch_sync_tests.cpp - group commits sync exactly their batch's files, then their directories.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/mail/envelope.h"
#include "server/store/queue/relay_queue.h"
#include "server/store/batch_sync.h"
#include "server/store/durable_file.h"
#include "server/store/maildir_store.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <sys/stat.h>

using mail::BatchSync;
using mail::DurableFileError;
using mail::test::TempDir;


namespace {


struct Recorder
/// Wraps the system's calls and logs each, in order: "file <path> <size>" for every file of
/// a files() call (its size when the call came) and "dir <path>"; batches: paths per files().
{
	std::mutex mutex;
	std::vector<std::string> events;
	std::vector<std::size_t> batches;
	std::chrono::milliseconds firstDelay{0}; ///< lets other writers queue behind the first batch
	int failWith = 0;                        ///< files() reports this errno for every file

	BatchSync sync()
	{
		BatchSync s;
		s.files = [this](const std::vector<std::string>& paths) {
			bool first = false;
			{
				std::lock_guard<std::mutex> lock(mutex);
				first = batches.empty();
				batches.push_back(paths.size());
				for (const auto& p: paths)
				{
					struct stat st;
					events.push_back("file " + p + " " + (::stat(p.c_str(), &st) == 0 ? std::to_string(st.st_size) : "missing"));
				}
			}
			if (first) std::this_thread::sleep_for(firstDelay);
			return failWith ? std::vector<int>(paths.size(), failWith) : mail::syncFiles(paths);
		};
		s.directory = [this](const std::string& dir) {
			{
				std::lock_guard<std::mutex> lock(mutex);
				events.push_back("dir " + dir);
			}
			mail::syncDirectory(dir);
		};
		return s;
	}

	long indexOf(const std::string& prefix, long from = 0) const
	/// The first event at or after from that starts with prefix, -1 when none.
	{
		for (std::size_t i = static_cast<std::size_t>(std::max<long>(from, 0)); i < events.size(); ++i)
			if (events[i].rfind(prefix, 0) == 0) return static_cast<long>(i);
		return -1;
	}
};


std::vector<std::string> filesIn(const std::string& dir)
{
	std::vector<std::string> out;
	for (Poco::DirectoryIterator it(dir), end; it != end; ++it) out.push_back(it.name());
	return out;
}


} // namespace


BOOST_AUTO_TEST_SUITE(batch_sync_tests)


BOOST_AUTO_TEST_CASE(sync_files_reports_each_file_on_its_own)
{
	TempDir tmp;
	std::vector<std::string> paths;
	paths.reserve(301); // 300 files and the missing one
	for (int i = 0; i < 300; ++i) paths.push_back(tmp.write("f" + std::to_string(i), "data"));
	paths.insert(paths.begin() + 150, tmp.file("missing"));
	const std::vector<int> errors = mail::syncFiles(paths);
	BOOST_REQUIRE_EQUAL(errors.size(), paths.size());
	for (std::size_t i = 0; i < paths.size(); ++i) BOOST_TEST(errors[i] == (i == 150 ? ENOENT : 0), paths[i]);
}


BOOST_AUTO_TEST_CASE(a_batch_of_one_file_reports_its_own_result)
{
	// One file takes the fsync() path, not syncfs(): the same answers.
	TempDir tmp;
	BOOST_TEST(mail::syncFiles({tmp.write("one", "data")}) == std::vector<int>{0});
	BOOST_TEST(mail::syncFiles({tmp.file("missing")}) == std::vector<int>{ENOENT});
	BOOST_TEST(mail::syncFiles({tmp.path()}) == std::vector<int>{0}); // a directory can be fsynced too
	BOOST_TEST(mail::syncFiles({}).empty());
}


BOOST_AUTO_TEST_CASE(maildir_batches_sync_every_file_whole_before_its_new_directories)
{
	TempDir tmp;
	Recorder recorder;
	recorder.firstDelay = std::chrono::milliseconds(300);
	const std::string root = tmp.file("srv.example/mail");
	mail::MaildirStore store(root, "h", recorder.sync());
	const std::string message = "Subject: s\n\nbody\n";
	constexpr int kThreads = 4;
	constexpr int kEach = 5;
	std::mutex namesMutex;
	std::vector<std::string> names;
	std::vector<std::thread> threads;
	threads.reserve(kThreads);
	for (int t = 0; t < kThreads; ++t)
	{
		threads.emplace_back([&] {
			for (int i = 0; i < kEach; ++i)
			{
				const std::string name = store.deliver({"a@x.org", "b@x.org"}, message);
				std::lock_guard<std::mutex> lock(namesMutex);
				names.push_back(name);
			}
		});
	}
	for (auto& thread: threads) thread.join();
	BOOST_REQUIRE_EQUAL(names.size(), static_cast<std::size_t>(kThreads * kEach));
	for (const auto& name: names)
	{
		// Written to a's tmp/, synced whole, and only then a's and b's new/ synced.
		const long file = recorder.indexOf(std::string("file ").append(root).append("/a@x.org/tmp/").append(name).append(" ").append(std::to_string(message.size())));
		BOOST_TEST(file >= 0, name);
		if (file < 0) continue;
		BOOST_TEST(recorder.indexOf("dir " + root + "/a@x.org/new", file) > file, name);
		BOOST_TEST(recorder.indexOf("dir " + root + "/b@x.org/new", file) > file, name);
	}
	// Nothing but the batch's files: one per message, and the writers shared batches.
	const std::size_t synced = std::count_if(recorder.events.begin(), recorder.events.end(),
		[](const std::string& e) { return e.compare(0, 5, "file ") == 0; });
	BOOST_TEST(synced == names.size());
	BOOST_TEST(*std::max_element(recorder.batches.begin(), recorder.batches.end()) > 1u);
	BOOST_TEST(filesIn(root + "/a@x.org/new").size() == names.size());
	BOOST_TEST(filesIn(root + "/a@x.org/tmp").empty());
}


BOOST_AUTO_TEST_CASE(relay_queue_syncs_its_one_file_entry_before_the_directory)
{
	TempDir tmp;
	Recorder recorder;
	const std::string dir = tmp.file("queue");
	mail::RelayQueue queue(dir, recorder.sync());
	const std::string message = "Subject: q\r\n\r\nbody\r\n";
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "s@x.example", {"r@y.example"}, message);
	const long entry = recorder.indexOf("file " + dir + "/" + id + ".mail.tmp ");
	BOOST_TEST(entry >= 0);
	BOOST_TEST(recorder.events.size() == 2u); // one file, then the directory
	BOOST_TEST(recorder.indexOf("dir " + dir, entry) > entry);

	mail::QueueEnvelope e;
	BOOST_REQUIRE(queue.load(id, e));
	e.attempts = 3;
	const std::size_t before = recorder.events.size();
	queue.update(e);
	BOOST_TEST(recorder.events.size() == before + 2); // the side state file, then the directory
	BOOST_TEST(recorder.indexOf("file " + dir + "/" + id + ".state.tmp ", static_cast<long>(before)) == static_cast<long>(before));
	BOOST_TEST(recorder.events[before + 1] == "dir " + dir);

	queue.remove(id);
	BOOST_TEST(recorder.events.size() == before + 3); // a removal syncs no file, only the directory
	BOOST_TEST(recorder.events.back() == "dir " + dir);
}


BOOST_AUTO_TEST_CASE(relay_queue_removes_an_entry_without_a_state_with_no_sync_at_all)
{
	// The usual removal (delivered at the first attempt): nothing to order, so the worker
	// neither syncs nor waits for a commit; a crash that undoes the unlink sends it again.
	TempDir tmp;
	Recorder recorder;
	const std::string dir = tmp.file("queue");
	mail::RelayQueue queue(dir, recorder.sync());
	const std::string id = queue.enqueue(mail::newEnvelopeId(), "s@x.example", {"r@y.example"}, "x\r\n");
	const std::size_t before = recorder.events.size();
	queue.remove(id);
	BOOST_TEST(recorder.events.size() == before);
	mail::QueueEnvelope e;
	BOOST_TEST(!queue.load(id, e));
	BOOST_TEST(queue.scan().empty());
}


BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_synced_fails_its_write_and_leaves_nothing)
{
	TempDir tmp;
	Recorder recorder;
	recorder.failWith = EIO;
	const std::string root = tmp.file("srv.example/mail");
	mail::MaildirStore store(root, "h", recorder.sync());
	try
	{
		store.deliver({"a@x.org"}, "x\r\n");
		BOOST_FAIL("delivered although its file could not be synced");
	}
	catch (const DurableFileError& exc)
	{
		BOOST_TEST(exc.error() == EIO);
	}
	BOOST_TEST(filesIn(root + "/a@x.org/new").empty());
	BOOST_TEST(filesIn(root + "/a@x.org/tmp").empty());

	mail::RelayQueue queue(tmp.file("queue"), recorder.sync());
	try
	{
		queue.enqueue(mail::newEnvelopeId(), "s@x.example", {"r@y.example"}, "x\r\n");
		BOOST_FAIL("queued although its files could not be synced");
	}
	catch (const DurableFileError& exc)
	{
		BOOST_TEST(exc.error() == EIO);
	}
	BOOST_TEST(filesIn(tmp.file("queue")).empty());
}


BOOST_AUTO_TEST_SUITE_END()
