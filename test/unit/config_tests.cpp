// config_tests.cpp - loadConfig: the demo file, merging of sections, and every error kind.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/config/config.h"
#include "common/base/errors.h"
#include "test/unit/fixtures.h"

#include <string>

using mail::ConfigError;
using mail::loadConfig;
using mail::test::TempDir;


namespace {


const char* const kMinimal =
	"servers:\n"
	"  a.example:\n"
	"    smtp: 2525\n"
	"    pop: 2110\n"
	"    accounts:\n"
	"      bob@a.example: secret\n";


} // namespace


BOOST_AUTO_TEST_SUITE(config_tests)


BOOST_AUTO_TEST_CASE(demo_config_loads)
{
	const mail::Config config = loadConfig("conf/mail.yaml");
	BOOST_TEST(config.dns.host == "127.0.0.1");
	BOOST_TEST(config.dns.port == 10053);
	BOOST_TEST(config.dns.zonePath.find("conf/zone.yaml") != std::string::npos);
	BOOST_REQUIRE(config.servers.size() == 2u);
	const mail::ServerConfig* ex = config.server("exmail.qq.com");
	BOOST_REQUIRE(ex);
	BOOST_TEST(ex->smtp == 1025);
	BOOST_TEST(ex->pop == 3110);
	BOOST_TEST(ex->address == "127.0.0.1");
	BOOST_TEST(ex->isLocalDomain("MAIL.sustech.edu.cn"));
	BOOST_TEST(!ex->isLocalDomain("gmail.com"));
	BOOST_TEST(ex->hasAccount("usr1@Mail.Sustech.Edu.Cn"));
	BOOST_TEST(!ex->hasAccount("USR1@mail.sustech.edu.cn"));   // logins: local parts keep their case
	BOOST_REQUIRE(ex->accountFor("USR1@Mail.Sustech.Edu.Cn")); // delivery: case-insensitive
	BOOST_TEST(*ex->accountFor("USR1@Mail.Sustech.Edu.Cn") == "usr1@mail.sustech.edu.cn");
	BOOST_TEST(!ex->accountFor("usr9@mail.sustech.edu.cn"));
	BOOST_REQUIRE(ex->accountKey("usr1@Mail.Sustech.Edu.Cn")); // logins: the key as in the config
	BOOST_TEST(*ex->accountKey("usr1@Mail.Sustech.Edu.Cn") == "usr1@mail.sustech.edu.cn");
	BOOST_TEST(!ex->accountKey("USR1@mail.sustech.edu.cn"));
	BOOST_TEST(*ex->password("usr2@mail.sustech.edu.cn") == "pass2");
	const mail::AgentEntry* gmail = config.agentFor("GMAIL.com");
	BOOST_REQUIRE(gmail);
	BOOST_TEST(gmail->smtpHost == "smtp.gmail.com");
	BOOST_TEST(gmail->popHost == "pop.gmail.com");
	BOOST_TEST(ex->relay.workers == 4u);
	BOOST_TEST(ex->relay.retry.size() == 7u);
	BOOST_TEST(ex->relay.expire.count() == 5 * 86400);
	BOOST_TEST(ex->relay.destinationConcurrency == 20u);
	BOOST_TEST(ex->relay.connectionCacheTime.count() == 2);
	BOOST_TEST(ex->relay.maxMessagesPerConnection == 100u);
	BOOST_TEST(ex->limits.maxMessageSize == 10485760u);
	BOOST_TEST(ex->smtps == 1465);
	BOOST_TEST(ex->pops == 1995);
	BOOST_TEST(ex->tls.enabled()); // conf/tls, made by scripts/make-cert.sh (make test does)
	BOOST_TEST(ex->tls.allowPlaintextAuth);
	BOOST_TEST(!ex->submission.requireAuth);
}


BOOST_AUTO_TEST_CASE(per_server_sections_override_top_level_key_by_key)
{
	TempDir dir;
	const std::string path = dir.write("mail.yaml",
		"relay:\n"
		"  workers: 2\n"
		"  retry: [1s, 2s]\n"
		"  destination_concurrency: 3\n"
		"  connection_cache_time: 0s\n"
		"  max_messages_per_connection: 7\n"
		"limits:\n"
		"  max_recipients: 5\n"
		"  command_timeout: 30s\n"
		"journal: { keep: 50 }\n"
		"servers:\n"
		"  a.example:\n"
		"    smtp: 2525\n"
		"    pop: 2110\n"
		"    journal: { keep: 0 }\n"
		"    domains: [Other.Example]\n"
		"    relay:\n"
		"      workers: 8\n"
		"    limits:\n"
		"      max_recipients: 7\n"
		"  b.example:\n"
		"    smtp: 2526\n"
		"    pop: 2111\n"
		"    relay_domains: [a.example]\n");
	const mail::Config config = loadConfig(path);
	const mail::ServerConfig& a = config.servers[0];
	const mail::ServerConfig& b = config.servers[1];
	BOOST_TEST(a.relay.workers == 8u);
	BOOST_TEST(a.relay.retry.size() == 2u); // inherited
	BOOST_TEST(a.relay.destinationConcurrency == 3u);
	BOOST_TEST(a.relay.connectionCacheTime.count() == 0);
	BOOST_TEST(a.relay.maxMessagesPerConnection == 7u);
	BOOST_TEST(a.limits.maxRecipients == 7u);
	BOOST_TEST(a.limits.commandTimeout.count() == 30); // inherited
	BOOST_TEST(b.relay.workers == 2u);
	BOOST_TEST(b.limits.maxRecipients == 5u);
	BOOST_TEST(a.isLocalDomain("other.example"));
	BOOST_TEST(a.journal.keep == 0u); // off for this server
	BOOST_TEST(b.journal.keep == 50u);
	BOOST_TEST(config.journal.keep == 50u); // mail-dns reads the top level
	BOOST_TEST(!a.isRelayDomain("other.example"));
	BOOST_TEST(b.isRelayDomain("A.example")); // a backup MX for a.example's domain
	BOOST_TEST(!b.isRelayDomain("b.example"));
	BOOST_TEST(config.dns.port == 10053); // default
}


BOOST_AUTO_TEST_CASE(dns_busy_poll_defaults_to_50_and_may_be_turned_off)
{
	TempDir dir;
	BOOST_TEST(loadConfig(dir.write("a.yaml", std::string(kMinimal))).dns.busyPollUs == 50u);
	BOOST_TEST(loadConfig(dir.write("b.yaml", std::string("dns:\n  busy_poll_us: 0\n") + kMinimal)).dns.busyPollUs == 0u);
	BOOST_TEST(loadConfig(dir.write("c.yaml", std::string("dns:\n  busy_poll_us: 1000\n") + kMinimal)).dns.busyPollUs == 1000u);
}


BOOST_AUTO_TEST_CASE(dns_resolvers_default_to_listen_and_keep_their_order)
{
	TempDir dir;
	mail::Config config = loadConfig(dir.write("a.yaml", std::string("dns:\n  listen: 127.0.0.1:5300\n") + kMinimal));
	BOOST_REQUIRE(config.dns.servers().size() == 1u);
	BOOST_TEST(config.dns.servers()[0].host == "127.0.0.1");
	BOOST_TEST(config.dns.servers()[0].port == 5300);
	config = loadConfig(dir.write("b.yaml",
		std::string("dns:\n  listen: 127.0.0.1:5300\n  resolvers: [127.0.0.2:53, localhost:5353]\n") + kMinimal));
	BOOST_REQUIRE(config.dns.servers().size() == 2u);
	BOOST_TEST(config.dns.servers()[0].host == "127.0.0.2");
	BOOST_TEST(config.dns.servers()[0].port == 53);
	BOOST_TEST(config.dns.servers()[1].host == "127.0.0.1");
	BOOST_TEST(config.dns.servers()[1].port == 5353);
	BOOST_TEST(config.dns.serversText() == "127.0.0.2:53, 127.0.0.1:5353");
	BOOST_TEST(config.dns.port == 5300); // mail-dns still listens where dns.listen says
}


BOOST_AUTO_TEST_CASE(durations)
{
	BOOST_TEST(mail::parseDuration("30s").count() == 30);
	BOOST_TEST(mail::parseDuration("5m").count() == 300);
	BOOST_TEST(mail::parseDuration("2h").count() == 7200);
	BOOST_TEST(mail::parseDuration("5d").count() == 432000);
	BOOST_TEST(mail::parseDuration("365d").count() == 365 * 86400);
	BOOST_TEST(mail::parseDuration("8760h").count() == 365 * 86400);
	for (const char* bad: {"", "5", "m", "5x", "-5m", "5 m", "1.5h", "5mm", "366d", "8761h", "200000000d", "200000d",
			 "99999999999999999999s"})
		BOOST_CHECK_THROW(mail::parseDuration(bad), std::invalid_argument);
}


BOOST_AUTO_TEST_CASE(every_error_names_file_line_and_key)
{
	struct Row
	{
		const char* name;
		std::string yaml;
		int line;
		const char* key;
		const char* message; ///< a part of the message
	};
	const std::string m = kMinimal;
	std::string dashes; // "- - - ... " 100 levels of block sequences on one line
	for (int i = 0; i < 100; ++i) dashes += "- ";
	const Row rows[] = {
		{"unknown top key", m + "bogus: 1\n", 7, "bogus", "unknown key"},
		{"unknown server key", "servers:\n  a.example:\n    smtp: 1\n    pop: 2\n    smtpport: 3\n", 5,
			"servers.a.example.smtpport", "unknown key"},
		{"port out of range", "servers:\n  a.example:\n    smtp: 70000\n    pop: 2\n", 3, "servers.a.example.smtp", "out of range"},
		{"port zero", "servers:\n  a.example:\n    smtp: 0\n    pop: 2\n", 3, "servers.a.example.smtp", "out of range"},
		{"port not a number", "servers:\n  a.example:\n    smtp: abc\n    pop: 2\n", 3, "servers.a.example.smtp", "whole number"},
		{"port is a list", "servers:\n  a.example:\n    smtp: [1]\n    pop: 2\n", 3, "servers.a.example.smtp", "single value"},
		{"missing pop", "servers:\n  a.example:\n    smtp: 1\n", 2, "servers.a.example.pop", "missing"},
		{"missing servers", "dns:\n  listen: 127.0.0.1:53\n", 1, "servers", "missing"},
		{"duplicate server", "servers:\n  a:\n    smtp: 1\n    pop: 2\n  a:\n    smtp: 3\n    pop: 4\n", 5, "servers.a", "duplicate"},
		{"port clash", "servers:\n  a:\n    smtp: 1\n    pop: 2\n  b:\n    smtp: 3\n    pop: 1\n", 7, "servers.b.pop", "already used by servers.a.smtp"},
		{"domain clash", m + "  b:\n    smtp: 3\n    pop: 4\n    domains: [A.example]\n", 7, "servers.b", "already served"},
		{"relaying its own domain", m + "    relay_domains: [A.Example]\n", 7, "servers.a.example.relay_domains", "a domain of this server itself: a.example"},
		{"relay domain not a name", m + "    relay_domains: [\"bad name\"]\n", 7, "servers.a.example.relay_domains[0]", "not a valid domain name"},
		{"bad address", "servers:\n  a:\n    smtp: 1\n    pop: 2\n    accounts:\n      nobody: x\n", 6, "servers.a.accounts.nobody", "email address"},
		{"duplicate account", m + "      bob@a.example: y\n", 7, "servers.a.example.accounts.bob@a.example", "duplicate"},
		{"account differing in case only", m + "      BOB@A.EXAMPLE: x\n", 7, "servers.a.example.accounts.BOB@A.EXAMPLE", "listed twice"},
		{"malformed password hash", m + "      eve@a.example: \"$pbkdf2-sha256$i=5$c2FsdA==$aGFzaA==\"\n", 7, "servers.a.example.accounts.eve@a.example", "bad password hash: iteration count"},
		{"empty password", "servers:\n  a:\n    smtp: 1\n    pop: 2\n    accounts:\n      u@a.b: \"\"\n", 6, "servers.a.accounts.u@a.b", "empty"},
		{"bad listen", "dns:\n  listen: nowhere\n" + m, 2, "dns.listen", "HOST:PORT"},
		{"bad listen port", "dns:\n  listen: 127.0.0.1:99999\n" + m, 2, "dns.listen", "out of range"},
		{"empty resolvers", "dns:\n  resolvers: []\n" + m, 2, "dns.resolvers", "non-empty list"},
		{"resolver without port", "dns:\n  resolvers: [127.0.0.1:53, 127.0.0.2]\n" + m, 2, "dns.resolvers", "HOST:PORT"},
		{"resolver by name", "dns:\n  resolvers: [ns.example:53]\n" + m, 2, "dns.resolvers", "IPv4 address"},
		{"busy poll too long", "dns:\n  busy_poll_us: 1001\n" + m, 2, "dns.busy_poll_us", "out of range"},
		{"busy poll not a number", "dns:\n  busy_poll_us: soon\n" + m, 2, "dns.busy_poll_us", "whole number"},
		{"bad duration", m + "relay:\n  retry: [1m, soon]\n", 8, "relay.retry[1]", "duration"},
		{"empty retry", m + "relay:\n  retry: []\n", 8, "relay.retry", "non-empty"},
		{"timeout overflowing", m + "limits:\n  command_timeout: 200000000d\n", 8, "limits.command_timeout", "at most 365d"},
		{"retry overflowing", m + "relay:\n  retry: [1m, 200000d]\n", 8, "relay.retry[1]", "at most 365d"},
		{"bad workers", m + "relay:\n  workers: 0\n", 8, "relay.workers", "out of range"},
		{"bad level", m + "logging:\n  level: loud\n", 8, "logging.level", "unknown level"},
		{"bad bool", m + "submission:\n  require_auth: maybe\n", 8, "submission.require_auth", "true or false"},
		{"tls file missing", m + "tls:\n  cert: nope.pem\n  key: nope.key\n", 8, "tls.cert", "file not found"},
		{"smtps without tls", "servers:\n  a:\n    smtp: 1\n    pop: 2\n    smtps: 3\n", 5, "servers.a.smtps", "tls"},
		{"agent host invalid", "agent:\n  a.example: { smtp: 'bad host', pop: p.example }\n" + m, 2, "agent.a.example.smtp", "host name"},
		{"agent missing pop", "agent:\n  a.example: { smtp: s.example }\n" + m, 2, "agent.a.example.pop", "missing"},
		{"soft above hard", m + "limits:\n  soft_errors: 30\n  hard_errors: 20\n", 8, "limits", "must not exceed"},
		{"section not a map", m + "limits: 5\n", 7, "limits", "expected a map"},
		{"relay.tls unknown", m + "relay:\n  tls: maybe\n", 8, "relay.tls", "expected opportunistic, verify or none"},
		{"tls.ca missing", m + "tls:\n  ca: /nonexistent-ca.pem\n", 8, "tls.ca", "file not found"},
		{"syntax error", "servers:\n  a: [\n", 3, "", "YAML syntax"},
		{"empty file", "", 0, "", "empty"},
		{"account naming no Maildir", "servers:\n  a:\n    smtp: 1\n    pop: 2\n    accounts:\n      a/b@a.example: x\n", 6,
			"servers.a.accounts.a/b@a.example", "cannot name a Maildir: contains '/'"},
		{"log file in a missing directory", m + "logging:\n  file: /nonexistent-dir/x.log\n", 8, "logging.file",
			"no such directory"},
		{"log file is a directory", m + "logging:\n  file: /tmp\n", 8, "logging.file", "is a directory"},
		{"second document", m + "---\nservers: {}\n", 7, "", "second YAML document"},
		{"deep nesting", "x: " + std::string(100000, '[') + std::string(100000, ']') + "\n", 1, "", "nested deeper than 64"},
		{"deep compact sequences", "x:\n" + dashes + "1\n", 2, "", "nested deeper than 64"},
	};
	for (const Row& row: rows)
	{
		TempDir dir;
		const std::string path = dir.write("mail.yaml", row.yaml);
		try
		{
			loadConfig(path);
			BOOST_ERROR(row.name << ": no error");
		}
		catch (const ConfigError& exc)
		{
			const std::string what = exc.what();
			BOOST_CHECK_MESSAGE(exc.file() == path, row.name << ": file " << exc.file());
			if (row.line) BOOST_CHECK_MESSAGE(exc.line() == row.line, row.name << ": line " << exc.line() << " in " << what);
			BOOST_CHECK_MESSAGE(exc.key() == row.key, row.name << ": key '" << exc.key() << "' in " << what);
			BOOST_CHECK_MESSAGE(what.find(row.message) != std::string::npos, row.name << ": message " << what);
			BOOST_CHECK_MESSAGE(what.find(path) == 0, row.name << ": what() starts with the file: " << what);
		}
	}
}


BOOST_AUTO_TEST_CASE(a_directory_given_as_the_config)
{
	TempDir dir;
	BOOST_CHECK_EXCEPTION(loadConfig(dir.path()), ConfigError, [](const ConfigError& exc) {
		return std::string(exc.what()).find("is a directory") != std::string::npos;
	});
}


BOOST_AUTO_TEST_CASE(missing_file)
{
	try
	{
		loadConfig("/nonexistent/mail.yaml");
		BOOST_ERROR("no error");
	}
	catch (const ConfigError& exc)
	{
		BOOST_TEST(std::string(exc.what()) == "/nonexistent/mail.yaml: cannot open file");
	}
}


BOOST_AUTO_TEST_SUITE_END()
