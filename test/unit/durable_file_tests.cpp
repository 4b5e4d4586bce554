// durable_file_tests.cpp - the shared crash-safe file helpers and their one error contract.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/store/durable_file.h"

#include <Poco/File.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

using mail::DurableFileError;
using mail::test::TempDir;


namespace {


std::string contentOf(const std::string& path)
{
	return mail::readWholeFile(path);
}


int errorOf(const std::function<void()>& action)
/// The errno a DurableFileError reports, 0 when nothing is thrown.
{
	try
	{
		action();
	}
	catch (const DurableFileError& error)
	{
		return error.error();
	}
	return 0;
}


int errorUnprivileged(const std::function<void()>& action)
/// errorOf(action) on a thread whose file-system uid is "nobody" when the tests run as
/// root: setfsuid() is per thread and drops CAP_DAC_OVERRIDE, so modes are enforced.
{
	int result = -1;
	std::thread worker([&] {
		if (::geteuid() == 0) ::setfsuid(65534);
		result = errorOf(action);
	});
	worker.join();
	return result;
}


} // namespace


BOOST_AUTO_TEST_SUITE(durable_file_tests)


BOOST_AUTO_TEST_CASE(write_file_durably_replaces_the_target_and_leaves_no_temp)
{
	TempDir tmp;
	mail::writeFileDurably(tmp.file("a"), tmp.file("a.tmp"), "first");
	mail::writeFileDurably(tmp.file("a"), tmp.file("a.tmp"), "second, longer");
	BOOST_TEST(contentOf(tmp.file("a")) == "second, longer");
	BOOST_TEST(!Poco::File(tmp.file("a.tmp")).exists());
	struct stat st;
	BOOST_REQUIRE(::stat(tmp.file("a").c_str(), &st) == 0);
	BOOST_TEST((st.st_mode & 0777) == 0600u);
}


BOOST_AUTO_TEST_CASE(a_missing_directory_reports_enoent_and_the_path)
{
	TempDir tmp;
	const std::string tmpPath = tmp.file("absent/a.tmp");
	try
	{
		mail::writeFileDurably(tmp.file("absent/a"), tmpPath, "x");
		BOOST_FAIL("no exception");
	}
	catch (const DurableFileError& error)
	{
		BOOST_TEST(error.error() == ENOENT);
		BOOST_TEST(error.path() == tmpPath);
		BOOST_TEST(error.displayText() == "File access error: cannot create " + tmpPath + ": " + std::strerror(ENOENT));
	}
	BOOST_TEST(errorOf([&] { mail::syncDirectory(tmp.file("absent")); }) == ENOENT);
	BOOST_TEST(errorOf([&] { mail::makeDirectory(tmp.file("absent/sub")); }) == ENOENT);
	BOOST_TEST(errorOf([&] { mail::readWholeFile(tmp.file("absent/a")); }) == ENOENT);
}


BOOST_AUTO_TEST_CASE(a_read_only_directory_reports_eacces_and_keeps_nothing)
{
	TempDir tmp;
	const std::string dir = tmp.file("ro");
	BOOST_REQUIRE(::mkdir(dir.c_str(), 0555) == 0);
	BOOST_REQUIRE(::chmod(dir.c_str(), 0555) == 0);        // whatever the umask
	BOOST_REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0); // "nobody" may enter
	BOOST_TEST(errorUnprivileged([&] { mail::writeFileDurably(dir + "/a", dir + "/a.tmp", "x"); }) == EACCES);
	BOOST_TEST(errorUnprivileged([&] { mail::makeDirectory(dir + "/sub"); }) == EACCES);
	BOOST_TEST(!Poco::File(dir + "/a.tmp").exists());
	BOOST_TEST(!Poco::File(dir + "/a").exists());
}


BOOST_AUTO_TEST_CASE(errno_of_the_failing_call_is_kept)
{
	TempDir tmp;
	const std::string path = tmp.write("f", "data");
	const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	BOOST_REQUIRE(fd >= 0);
	try
	{
		mail::writeAll(fd, "more", path);
		BOOST_FAIL("no exception");
	}
	catch (const Poco::FileException& error) // callers that know only Poco still catch it
	{
		const auto* durable = dynamic_cast<const DurableFileError*>(&error);
		BOOST_REQUIRE(durable);
		BOOST_TEST(durable->error() == EBADF);
		BOOST_TEST(durable->path() == path);
	}
	::close(fd);
	// A copy made through Poco's clone() keeps the fields too.
	const DurableFileError original("cannot fsync", path, EIO);
	std::unique_ptr<Poco::Exception> copy(original.clone());
	BOOST_TEST(dynamic_cast<DurableFileError&>(*copy).error() == EIO);
	BOOST_CHECK_THROW(copy->rethrow(), DurableFileError);
}


BOOST_AUTO_TEST_CASE(make_directory_tells_whether_it_created)
{
	TempDir tmp;
	BOOST_TEST(mail::makeDirectory(tmp.file("d")));
	BOOST_TEST(!mail::makeDirectory(tmp.file("d")));
	BOOST_TEST(Poco::File(tmp.file("d")).isDirectory());
	mail::syncDirectory(tmp.file("d"));
	tmp.write("plain", "x");
	BOOST_TEST(errorOf([&] { mail::syncDirectory(tmp.file("plain")); }) == ENOTDIR);
}


BOOST_AUTO_TEST_CASE(read_if_exists_tells_a_missing_file_from_other_errors)
{
	TempDir tmp;
	std::string data = "untouched";
	BOOST_TEST(!mail::readWholeFileIfExists(tmp.file("missing"), data));
	BOOST_TEST(data == "untouched");
	BOOST_TEST(mail::readWholeFileIfExists(tmp.write("present", "line\r\n"), data));
	BOOST_TEST(data == "line\r\n");
	BOOST_TEST(errorOf([&] { mail::readWholeFileIfExists(tmp.file("present") + "/below", data); }) == ENOTDIR);
	BOOST_TEST(errorOf([&] { mail::readWholeFile(tmp.file("missing")); }) == ENOENT);
}


BOOST_AUTO_TEST_SUITE_END()
