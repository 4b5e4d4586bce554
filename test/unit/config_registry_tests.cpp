// config_registry_tests.cpp - dns.register (per server) and dns.updates (mail-dns): values and errors.
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


const char* const kSecret = "c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA=="; // "secret-for-the-class-tests-1234"

std::string server(const std::string& registerLines)
{
	return "servers:\n"
		   "  alice:\n"
		   "    smtp: 2525\n"
		   "    pop: 2110\n"
		   "    accounts:\n"
		   "      alice@alice.class.test: pw\n"
		   "    dns:\n"
		   "      register:\n"
		+ registerLines;
}


} // namespace


BOOST_AUTO_TEST_SUITE(config_registry_tests)


BOOST_AUTO_TEST_CASE(register_and_updates_are_read_with_their_defaults)
{
	TempDir dir;
	const mail::Config config = loadConfig(dir.write("a.yaml",
		"dns:\n  updates:\n    - zone: Class.Test.\n      keys:\n        - { name: Class-Key, secret: " + std::string(kSecret)
			+ " }\n        - { name: other, secret: " + kSecret + ", algorithm: hmac-sha512 }\n"
			+ server(std::string("        server: localhost:10053\n        zone: class.test\n        key_name: class-key\n")
				+ "        key_secret: " + kSecret + "\n")));
	BOOST_REQUIRE(config.dns.updates.size() == 1u);
	BOOST_TEST(config.dns.updates[0].zone == "class.test");
	BOOST_REQUIRE(config.dns.updates[0].keys.size() == 2u);
	BOOST_TEST(config.dns.updates[0].keys[0].name == "class-key");
	BOOST_TEST(config.dns.updates[0].keys[0].algorithm == "hmac-sha256");
	BOOST_TEST(config.dns.updates[0].keys[0].secret == "secret-for-the-class-tests-1234");
	BOOST_TEST(config.dns.updates[0].keys[1].algorithm == "hmac-sha512");
	const mail::DnsRegisterConfig& r = config.servers.at(0).registration;
	BOOST_TEST(r.enabled);
	BOOST_TEST(r.host == "127.0.0.1");
	BOOST_TEST(r.port == 10053);
	BOOST_TEST(r.zone == "class.test");
	BOOST_TEST(r.ttl == 60u);
	BOOST_TEST(!r.keepOnShutdown);
}


BOOST_AUTO_TEST_CASE(every_error_names_its_key)
{
	const std::string base = "        server: 127.0.0.1:53\n        zone: class.test\n        key_name: k\n";
	const struct
	{
		const char* name;
		std::string yaml;
		const char* key;
		const char* message;
	} rows[] = {
		{"secret not base64", server(base + "        key_secret: 'not base64!'\n"), "servers.alice.dns.register.key_secret", "base64"},
		{"unknown algorithm", server(base + "        key_secret: " + kSecret + "\n        algorithm: hmac-md5\n"),
			"servers.alice.dns.register.algorithm", "unknown algorithm"},
		{"missing zone", server("        server: 127.0.0.1:53\n        key_name: k\n        key_secret: " + std::string(kSecret) + "\n"),
			"servers.alice.dns.register.zone", "missing"},
		{"server by name", server("        server: ns.example:53\n        zone: class.test\n        key_name: k\n        key_secret: " + std::string(kSecret) + "\n"),
			"servers.alice.dns.register.server", "IPv4"},
		{"ttl too long", server(base + "        key_secret: " + kSecret + "\n        ttl: 90000\n"), "servers.alice.dns.register.ttl",
			"out of range"},
		{"unknown register key", server(base + "        key_secret: " + kSecret + "\n        port: 53\n"),
			"servers.alice.dns.register.port", "unknown key"},
		{"other dns key in a server", "servers:\n  a:\n    smtp: 1\n    pop: 2\n    dns:\n      resolvers: [127.0.0.1:53]\n",
			"servers.a.dns.resolvers", "unknown key"},
		{"updates not a list", "dns:\n  updates: class.test\n" + server(base + "        key_secret: " + kSecret + "\n"), "dns.updates",
			"list"},
		{"zone listed twice",
			"dns:\n  updates:\n    - { zone: a.test, keys: [ { name: k, secret: " + std::string(kSecret) + " } ] }\n"
																										   "    - { zone: A.test., keys: [ { name: k, secret: "
				+ kSecret + " } ] }\n" + server(base + "        key_secret: " + kSecret + "\n"),
			"dns.updates[1].zone", "twice"},
		{"no keys", "dns:\n  updates:\n    - { zone: a.test, keys: [] }\n" + server(base + "        key_secret: " + kSecret + "\n"),
			"dns.updates[0].keys", "list"},
	};
	for (const auto& row: rows)
	{
		TempDir dir;
		try
		{
			loadConfig(dir.write("mail.yaml", row.yaml));
			BOOST_ERROR(row.name << ": no error");
		}
		catch (const ConfigError& exc)
		{
			const std::string what = exc.what();
			BOOST_CHECK_MESSAGE(exc.key() == row.key, row.name << ": key '" << exc.key() << "' in " << what);
			BOOST_CHECK_MESSAGE(what.find(row.message) != std::string::npos, row.name << ": message " << what);
		}
	}
}


BOOST_AUTO_TEST_SUITE_END()
