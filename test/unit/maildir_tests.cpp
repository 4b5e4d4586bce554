// maildir_tests.cpp - the one Maildir layout: paths, creation, file names, name parsing.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/store/maildir.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Process.h>

#include <regex>
#include <set>
#include <vector>

using mail::Maildir;
using mail::test::TempDir;


BOOST_AUTO_TEST_SUITE(maildir_tests)


BOOST_AUTO_TEST_CASE(path_is_the_account_under_the_mail_root)
{
	const Maildir maildir("/data/mail.sustech.edu.cn/mail");
	BOOST_TEST(maildir.root() == "/data/mail.sustech.edu.cn/mail");
	BOOST_TEST(maildir.path("usr1@mail.sustech.edu.cn") == "/data/mail.sustech.edu.cn/mail/usr1@mail.sustech.edu.cn");
}


BOOST_AUTO_TEST_CASE(ensure_creates_root_and_the_three_subdirectories)
{
	TempDir tmp;
	const Maildir maildir(tmp.file("srv/mail"));
	maildir.ensure("a@x.example");
	for (const char* sub: {"tmp", "new", "cur"})
		BOOST_TEST(Poco::File(tmp.file("srv/mail/a@x.example/") + sub).isDirectory());
	tmp.write("srv/mail/a@x.example/new/kept", "x");
	maildir.ensure("a@x.example"); // idempotent: an existing Maildir is left as it is
	BOOST_TEST(Poco::File(tmp.file("srv/mail/a@x.example/new/kept")).exists());
}


BOOST_AUTO_TEST_CASE(ensure_refuses_names_that_leave_the_root)
{
	TempDir tmp;
	const Maildir maildir(tmp.file("mail"));
	for (const std::string& bad: std::vector<std::string>{"", "../x", ".hidden", "a/b", std::string("a\0b", 3)})
		BOOST_CHECK_THROW(maildir.ensure(bad), Poco::InvalidArgumentException);
	BOOST_TEST(!Poco::File(tmp.file("mail")).exists());
}


BOOST_AUTO_TEST_CASE(ensure_maildir_fails_when_the_root_is_a_file)
{
	TempDir tmp;
	tmp.write("mail", "not a directory");
	BOOST_CHECK_THROW(mail::ensureMaildir(tmp.file("mail/a@x.example")), Poco::FileException);
}


BOOST_AUTO_TEST_CASE(new_file_names_follow_the_format_and_are_unique)
{
	Maildir maildir("/data/mail.sustech.edu.cn/mail");
	const std::regex format("([0-9]+)\\.M([0-9]{1,6})P" + std::to_string(Poco::Process::id())
		+ "Q([0-9]+)\\.mail\\.sustech\\.edu\\.cn,S=1234,W=1300");
	std::set<std::string> names;
	for (int i = 0; i < 100; ++i)
	{
		const std::string name = maildir.newFileName(1234, 1300);
		BOOST_TEST(std::regex_match(name, format), name);
		names.insert(name);
	}
	BOOST_TEST(names.size() == 100u);
	std::uint64_t size = 0;
	BOOST_TEST(mail::maildirSizeHint(*names.begin(), size));
	BOOST_TEST(size == 1234u);
	BOOST_TEST(mail::maildirSizeHint(*names.begin(), size, ",W="));
	BOOST_TEST(size == 1300u);
}


BOOST_AUTO_TEST_CASE(a_message_id_goes_into_the_unique_part)
{
	Maildir maildir("/data/mail.sustech.edu.cn/mail");
	const std::regex format("([0-9]+)\\.M([0-9]{1,6})_0123456789abcdef_Q([0-9]+)\\.mail\\.sustech\\.edu\\.cn,S=5,W=6");
	const std::string first = maildir.newFileName(5, 6, "0123456789abcdef");
	const std::string second = maildir.newFileName(5, 6, "0123456789abcdef");
	BOOST_TEST(std::regex_match(first, format), first);
	BOOST_TEST(first != second);                                                       // the same message stored twice still gets two names
	BOOST_TEST(mail::maildirUid(first).find("0123456789abcdef") != std::string::npos); // the POP3 UIDL shows it
}


BOOST_AUTO_TEST_CASE(host_part_escapes_slash_and_colon)
{
	Maildir maildir("/unused", "a/b:c");
	const std::string name = maildir.newFileName(1, 2);
	BOOST_TEST(name.find(".a\\057b\\072c,S=1") != std::string::npos, name);
	BOOST_TEST(name.find(':') == std::string::npos);
}


BOOST_AUTO_TEST_SUITE_END()
