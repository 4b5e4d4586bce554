// restart_keys_tests.cpp - the one table of keys a SIGHUP cannot change: reload's view of it
// and the list docs/operating.md shows.
#include <boost/test/unit_test.hpp>

#include "server/config_reload.h"
#include "server/restart_keys.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using mail::Config;
using mail::ConfigReloader;
using mail::ServerConfig;


BOOST_AUTO_TEST_SUITE(restart_keys_tests)


BOOST_AUTO_TEST_CASE(operating_md_lists_exactly_the_table)
{
	std::ifstream in("docs/operating.md");
	BOOST_REQUIRE_MESSAGE(in, "run from the project root");
	std::stringstream text;
	text << in.rdbuf();
	const std::string page = text.str();
	const std::string open = "<!-- restart-keys -->\n", close = "\n<!-- /restart-keys -->";
	const std::size_t from = page.find(open), to = page.find(close);
	BOOST_REQUIRE(from != std::string::npos);
	BOOST_REQUIRE(to != std::string::npos);
	const std::string listed = page.substr(from + open.size(), to - from - open.size());
	BOOST_TEST(listed == mail::restartKeysText());
}


BOOST_AUTO_TEST_CASE(a_changed_key_is_found_and_its_started_value_put_back)
{
	Config runningFile, nextFile;
	ServerConfig running, next;
	running.smtp = 2525;
	next.smtp = 2526;
	running.limits.maxSessions = 10;
	next.limits.maxSessions = 20;
	next.limits.maxRecipients = running.limits.maxRecipients + 1; // reloadable: not listed, not put back
	nextFile.dns.port = static_cast<std::uint16_t>(runningFile.dns.port + 1);
	const std::vector<std::string> keys = ConfigReloader::restartKeys(running, runningFile, next, nextFile);
	// dns.resolvers defaults to [dns.listen], so it changed with it.
	const std::vector<std::string> want{"dns.listen", "dns.resolvers", "smtp", "limits.max_sessions"};
	std::string got;
	for (const auto& key: keys) got += key + " ";
	BOOST_TEST((keys == want), "got " << got);
	for (const mail::RestartKey& row: mail::restartKeyTable())
	{
		if (row.keep) row.keep(next, running);
	}
	BOOST_TEST(next.smtp == 2525);
	BOOST_TEST(next.limits.maxSessions == 10u);
	BOOST_TEST(next.limits.maxRecipients == running.limits.maxRecipients + 1);
	BOOST_TEST(ConfigReloader::restartKeys(running, runningFile, next, runningFile).empty());
}


BOOST_AUTO_TEST_CASE(dns_register_needs_a_restart_and_keeps_its_started_value)
{
	// The registrar is built from dns.register at start: a section added, removed or
	// changed by a SIGHUP is logged as needing a restart, not silently ignored.
	Config file;
	ServerConfig running, next;
	next.registration.enabled = true;
	next.registration.host = "127.0.0.1";
	next.registration.port = 5353;
	next.registration.zone = "class.test";
	const std::vector<std::string> added = ConfigReloader::restartKeys(running, file, next, file);
	BOOST_TEST((added == std::vector<std::string>{"dns.register"}));
	running.registration = next.registration;
	next.registration.key.secret = "another secret";
	BOOST_TEST((ConfigReloader::restartKeys(running, file, next, file) == std::vector<std::string>{"dns.register"}));
	for (const mail::RestartKey& row: mail::restartKeyTable())
	{
		if (row.keep) row.keep(next, running);
	}
	BOOST_TEST(next.registration.key.secret.empty());
	BOOST_TEST(ConfigReloader::restartKeys(running, file, next, file).empty());
}


BOOST_AUTO_TEST_SUITE_END()
