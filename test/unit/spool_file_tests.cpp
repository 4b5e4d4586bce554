// spool_file_tests.cpp - streaming a message to disk: LF ends, sizes, removal.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/store/durable_file.h"
#include "server/mail/spool_file.h"

#include <Poco/File.h>

#include <atomic>
#include <sys/inotify.h>
#include <thread>
#include <unistd.h>
#include <vector>


BOOST_AUTO_TEST_SUITE(spool_file_tests)


BOOST_AUTO_TEST_CASE(lines_are_stored_with_lf_and_counted_with_crlf)
{
	mail::test::TempDir dir;
	std::string path;
	{
		mail::SpoolFile spool(dir.path());
		path = spool.path();
		spool.writeCrlfText("Received: a\r\n\tb\r\n");
		const std::string big(900, 'x');
		for (int i = 0; i < 200; ++i) spool.line(big); // more than the buffer: written as it goes
		spool.line("");
		spool.end();
		const std::string data = mail::readWholeFile(path);
		BOOST_TEST(data.size() == spool.size());
		BOOST_TEST(data.substr(0, 16) == "Received: a\n\tb\nx");
		BOOST_TEST(spool.wireSize() == spool.size() + 203);
		BOOST_TEST(spool.size() == 15u + 200u * 901u + 1u);
	}
	BOOST_TEST(!Poco::File(path).exists()); // the owner's copy goes with it
}


BOOST_AUTO_TEST_CASE(a_write_error_is_reported_at_the_end)
{
	mail::test::TempDir dir;
	mail::SpoolFile spool(dir.path());
	const std::string big(1000, 'y');
	spool.end();                                   // ended: the next flush cannot write
	for (int i = 0; i < 100; ++i) spool.line(big); // never throws while DATA is read
	BOOST_CHECK_THROW(spool.end(), Poco::Exception);
}


BOOST_AUTO_TEST_CASE(spare_files_are_handed_out_open_and_bounded)
{
	mail::test::TempDir dir;
	std::vector<std::string> made;
	{
		mail::SpareFiles spares(2);
		spares.refill(dir.path());
		BOOST_TEST(spares.spare() == 2u);
		spares.refill(dir.path()); // already full: nothing more
		BOOST_TEST(spares.spare() == 2u);
		mail::OpenFile a = spares.take(dir.path());
		mail::OpenFile b = spares.take(dir.path());
		mail::OpenFile c = spares.take(dir.path()); // none left: created now
		BOOST_TEST(spares.spare() == 0u);
		for (const mail::OpenFile* f: {&a, &b, &c})
		{
			BOOST_TEST(f->fd >= 0);
			BOOST_TEST(f->path.rfind(dir.path() + "/", 0) == 0u);
			made.push_back(f->path);
		}
		BOOST_TEST(a.path != b.path);
		BOOST_TEST(b.path != c.path);
		{
			mail::SpoolFile spool(std::move(a)); // a spool file adopts one, written as usual
			spool.line("x");
			spool.end();
			BOOST_TEST(mail::readWholeFile(made[0]) == "x\n");
		}
		BOOST_TEST(!Poco::File(made[0]).exists()); // removed by its new owner
		::close(b.fd);
		::close(c.fd);
		spares.refill(dir.path());
	}
	BOOST_TEST(Poco::File(made[1]).exists()); // given out: the caller's to remove
	std::vector<std::string> left;
	Poco::File(dir.path()).list(left);
	BOOST_TEST(left.size() == 2u); // b and c; the two spares went with SpareFiles
}


namespace {


std::size_t removals(int watch) ///< IN_DELETE events read from watch so far
{
	std::size_t count = 0;
	char events[4096];
	ssize_t got;
	while ((got = ::read(watch, events, sizeof events)) > 0)
		for (const char* at = events; at < events + got; ++count)
			at += sizeof(inotify_event) + reinterpret_cast<const inotify_event*>(at)->len;
	return count;
}


} // namespace


BOOST_AUTO_TEST_CASE(sessions_refilling_at_once_remove_no_file)
{
	// A file created and removed at once frees an inode, which ext4 without a journal steps
	// over in every later allocation for minutes: sessions refilling at the same moment
	// must make keep files between them, not one each and remove the extra ones.
	mail::test::TempDir dir;
	const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	BOOST_REQUIRE(watch >= 0);
	BOOST_REQUIRE(::inotify_add_watch(watch, dir.path().c_str(), IN_DELETE) >= 0);
	std::size_t removed = 0;
	for (int round = 0; round < 50; ++round)
	{
		{
			mail::SpareFiles spares(2);
			std::atomic<int> ready{0};
			std::vector<std::thread> sessions;
			sessions.reserve(8);
			for (int i = 0; i < 8; ++i)
				sessions.emplace_back([&] {
					++ready;
					while (ready < 8) std::this_thread::yield();
					spares.refill(dir.path());
				});
			for (std::thread& session: sessions) session.join();
			BOOST_TEST(spares.spare() == 2u);
			std::vector<std::string> left;
			Poco::File(dir.path()).list(left);
			BOOST_TEST(left.size() == 2u);
			removed += removals(watch);
		}
		BOOST_TEST(removals(watch) == 2u); // the spares, removed with SpareFiles
	}
	::close(watch);
	BOOST_TEST(removed == 0u);
}


BOOST_AUTO_TEST_SUITE_END()
