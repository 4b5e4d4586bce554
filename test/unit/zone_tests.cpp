// zone_tests.cpp - loadZone: record forms, normalisation, and every error kind.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/base/errors.h"
#include "test/unit/fixtures.h"
#include "common/config/zone.h"

using mail::ConfigError;
using mail::loadZone;
using mail::test::TempDir;


BOOST_AUTO_TEST_SUITE(zone_tests)


BOOST_AUTO_TEST_CASE(demo_zone_loads)
{
	const mail::Zone zone = loadZone("conf/zone.yaml");
	BOOST_REQUIRE(zone.mx.count("gmail.com"));
	BOOST_TEST(zone.mx.at("gmail.com").at(0).host == "gmail-smtp-in.l.google.com");
	BOOST_TEST(zone.mx.at("gmail.com").at(0).preference == 10);
	BOOST_TEST(zone.p.at("smtp.gmail.com") == 2025);
	BOOST_TEST(zone.a.empty());
	BOOST_TEST(zone.hasName("SMTP.Gmail.com."));
	BOOST_TEST(!zone.hasName("nowhere.example"));
}


BOOST_AUTO_TEST_CASE(list_mx_sorted_and_a_records)
{
	TempDir dir;
	const std::string path = dir.write("zone.yaml",
		"MX:\n"
		"  Example.COM:\n"
		"    - { preference: 20, host: backup.example.com. }\n"
		"    - { preference: 5, host: Primary.Example.com }\n"
		"    - { preference: 20, host: backup2.example.com }\n"
		"P:\n"
		"  primary.example.com: 2525\n"
		"A:\n"
		"  primary.example.com: 10.251.0.2\n"
		"  multi.example.com: [127.0.0.2, 127.0.0.3]\n");
	const mail::Zone zone = loadZone(path);
	const auto& mx = zone.mx.at("example.com");
	BOOST_REQUIRE(mx.size() == 3u);
	BOOST_TEST(mx[0].host == "primary.example.com");
	BOOST_TEST(mx[0].preference == 5);
	BOOST_TEST(mx[1].host == "backup.example.com"); // ties keep file order
	BOOST_TEST(mx[2].host == "backup2.example.com");
	BOOST_TEST(zone.a.at("primary.example.com").at(0) == 0x0AFB0002u);
	BOOST_TEST(zone.a.at("multi.example.com").size() == 2u);
}


BOOST_AUTO_TEST_CASE(errors)
{
	struct Row
	{
		const char* name;
		const char* yaml;
		int line;
		const char* key;
		const char* message;
	};
	const Row rows[] = {
		{"unknown section", "MX: {}\nAAAA:\n  a.b: ::1\n", 2, "AAAA", "unknown key"},
		{"mx target not a name", "MX:\n  a.example: 'not a name'\n", 2, "MX.a.example", "domain name"},
		{"owner not a name", "P:\n  'bad..name': 25\n", 2, "P.bad..name", "domain name"},
		{"port out of range", "P:\n  a.example: 65536\n", 2, "P.a.example", "out of range"},
		{"port text", "P:\n  a.example: smtp\n", 2, "P.a.example", "whole number"},
		{"bad address", "A:\n  a.example: 300.1.1.1\n", 2, "A.a.example", "IPv4"},
		{"duplicate name", "P:\n  a.example: 1\n  A.EXAMPLE.: 2\n", 3, "P.A.EXAMPLE.", "duplicate"},
		{"mx missing host", "MX:\n  a.example:\n    - { preference: 1 }\n", 3, "MX.a.example[0].host", "missing"},
		{"mx bad preference", "MX:\n  a.example:\n    - { preference: x, host: b.example }\n", 3, "MX.a.example[0].preference", "whole number"},
		{"mx list of numbers", "MX:\n  a.example: [1, 2]\n", 2, "MX.a.example[0]", "domain name"},
		{"mx host is an address", "MX:\n  a.example: 10.0.0.1\n", 2, "MX.a.example", "domain name"},
		{"mx empty list", "MX:\n  a.example: []\n", 2, "MX.a.example", "empty"},
		{"a empty list", "A:\n  a.example: []\n", 2, "A.a.example", "empty list of addresses"},
		{"a list with a bad address", "A:\n  a.example: [10.0.0.1, 10.0.0.256]\n", 2, "A.a.example[1]", "IPv4"},
		{"not a map", "- a\n", 1, "", "expected sections"},
		{"ttl of an unknown type", "TTL:\n  a.example: {TXT: 5}\n", 2, "TTL.a.example.TXT", "expected A, MX, P or SRV"},
		{"ttl above 2^31-1", "TTL:\n  a.example: {A: 2147483648}\n", 2, "TTL.a.example.A", "out of range"},
	};
	for (const Row& row: rows)
	{
		TempDir dir;
		const std::string path = dir.write("zone.yaml", row.yaml);
		try
		{
			loadZone(path);
			BOOST_ERROR(row.name << ": no error");
		}
		catch (const ConfigError& exc)
		{
			const std::string what = exc.what();
			BOOST_CHECK_MESSAGE(exc.line() == row.line, row.name << ": line " << exc.line() << " in " << what);
			BOOST_CHECK_MESSAGE(exc.key() == row.key, row.name << ": key '" << exc.key() << "' in " << what);
			BOOST_CHECK_MESSAGE(what.find(row.message) != std::string::npos, row.name << ": " << what);
		}
	}
	BOOST_CHECK_THROW(loadZone("/nonexistent/zone.yaml"), ConfigError);
}


BOOST_AUTO_TEST_CASE(aliases_cannot_blow_a_small_file_up)
{
	// 64 addresses under an anchor, aliased under 2,000 names: 128,000 records from 60 kB.
	std::string yaml = "A:\n  n0.example: &list [";
	for (int i = 0; i < 64; ++i) yaml += (i ? ", 10.0.0." : "10.0.0.") + std::to_string(i + 1);
	yaml += "]\n";
	for (int i = 1; i < 2000; ++i) yaml += "  n" + std::to_string(i) + ".example: *list\n";
	TempDir dir;
	BOOST_CHECK_EXCEPTION(loadZone(dir.write("zone.yaml", yaml)), ConfigError, [](const ConfigError& exc) {
		return std::string(exc.what()).find("more than 100000 records") != std::string::npos;
	});
	std::string one = "A:\n  a.example: [";
	for (int i = 0; i < 65; ++i) one += (i ? ", 10.0.1." : "10.0.1.") + std::to_string(i + 1);
	BOOST_CHECK_EXCEPTION(loadZone(dir.write("one.yaml", one + "]\n")), ConfigError, [](const ConfigError& exc) {
		return std::string(exc.what()).find("more than 64 records for one name") != std::string::npos;
	});
}


BOOST_AUTO_TEST_SUITE_END()
