// log_tests.cpp - log helpers: session and message ids, quoting of client input.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/ops/log.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <set>
#include <string>
#include <vector>


namespace {


std::vector<std::string> ids(int count)
{
	std::vector<std::string> out;
	out.reserve(static_cast<std::size_t>(count));
	for (int i = 0; i < count; ++i) out.push_back(mail::newSessionId());
	return out;
}


} // namespace


BOOST_AUTO_TEST_SUITE(log_tests)


BOOST_AUTO_TEST_CASE(session_ids_are_16_hex_digits_starting_with_the_time)
{
	const std::string id = mail::newSessionId();
	BOOST_TEST(id.size() == 16u);
	BOOST_TEST(id.find_first_not_of("0123456789abcdef") == std::string::npos);
	const unsigned long seconds = std::stoul(id.substr(0, 8), nullptr, 16);
	BOOST_TEST(seconds + 5 >= static_cast<unsigned long>(std::time(nullptr)));
}


BOOST_AUTO_TEST_CASE(ids_of_two_processes_do_not_collide)
{
	// Parent and child continue from the same state after fork(), the case where
	// (pid + counter) x constant ids repeated across processes.
	ids(10);
	int pipeFds[2];
	BOOST_REQUIRE(::pipe(pipeFds) == 0);
	const pid_t child = ::fork();
	BOOST_REQUIRE(child >= 0);
	if (child == 0)
	{
		::close(pipeFds[0]);
		std::string all;
		for (const auto& id: ids(2000)) all += id + "\n";
		if (::write(pipeFds[1], all.data(), all.size()) != static_cast<ssize_t>(all.size())) ::_exit(1);
		::_exit(0);
	}
	::close(pipeFds[1]);
	const std::vector<std::string> mine = ids(2000);
	std::string theirs;
	char buf[4096];
	ssize_t n;
	while ((n = ::read(pipeFds[0], buf, sizeof buf)) > 0) theirs.append(buf, static_cast<std::size_t>(n));
	::close(pipeFds[0]);
	int status = 0;
	::waitpid(child, &status, 0);
	BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	std::set<std::string> seen(mine.begin(), mine.end());
	BOOST_TEST(seen.size() == mine.size());
	std::size_t collisions = 0;
	std::size_t start = 0;
	for (std::size_t end; (end = theirs.find('\n', start)) != std::string::npos; start = end + 1)
		collisions += seen.count(theirs.substr(start, end - start));
	BOOST_TEST(start == 2000u * 17u);
	BOOST_TEST(collisions == 0u);
}


BOOST_AUTO_TEST_CASE(credentials_are_masked_whatever_the_spacing_and_case)
{
	struct Row
	{
		const char* line;
		const char* shown;
	};
	const Row rows[] = {
		{"PASS secret", "PASS ****"},
		{"PASS\tsecret", "PASS ****"},
		{"pass  two words", "pass ****"},
		{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "APOP mrose ****"},
		{"AUTH PLAIN AHVzZXIAcGFzcw==", "AUTH PLAIN ****"},
		{"auth\tLOGIN\tdXNlcg==", "auth\tLOGIN ****"},
		{"AUTH PLAIN", "AUTH PLAIN"},
		{"PASS", "PASS"},
		{"USER bob@example.org", "USER bob@example.org"},
		{"MAIL FROM:<pass@example.org>", "MAIL FROM:<pass@example.org>"},
		{"PASSWORD x", "PASSWORD x"},
	};
	for (const Row& row: rows) BOOST_TEST(mail::maskCredentials(row.line) == row.shown, row.line);
}


BOOST_AUTO_TEST_CASE(addresses_that_could_pose_as_fields_are_quoted)
{
	BOOST_TEST(mail::logPath("bob@example.org") == "<bob@example.org>");
	BOOST_TEST(mail::logPath("") == "<>");
	BOOST_TEST(mail::logPath("prvs=1234=bob@example.org") == "<prvs=1234=bob@example.org>");
	BOOST_TEST(mail::logPath("\"x status=2.0.0 relay=a\"@gmail.com") == "\"<\\\"x status=2.0.0 relay=a\\\"@gmail.com>\"");
	BOOST_TEST(mail::logPath("a\x1b[31m@b") == "\"<a\\x1b[31m@b>\"");
}


BOOST_AUTO_TEST_SUITE_END()
