// http_config_tests.cpp - the `http:` key: short and full forms, defaults, the loopback rule.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/config/config.h"
#include "common/base/errors.h"
#include "common/mail/password_hash.h"
#include "test/unit/fixtures.h"

#include <string>

using mail::ConfigError;
using mail::loadConfig;
using mail::test::TempDir;


namespace {


std::string serverWith(const std::string& httpLines)
{
	return "servers:\n  a.example:\n    address: 10.1.2.3\n    smtp: 2525\n    pop: 2110\n" + httpLines;
}


std::string errorOf(const std::string& yaml)
{
	TempDir dir;
	try
	{
		loadConfig(dir.write("mail.yaml", yaml));
	}
	catch (const ConfigError& exc)
	{
		return exc.key() + ": " + exc.what();
	}
	return "";
}


} // namespace


BOOST_AUTO_TEST_SUITE(http_config_tests)


BOOST_AUTO_TEST_CASE(short_form_is_a_port_on_loopback_whatever_the_server_address)
{
	TempDir dir;
	const mail::Config config = loadConfig(dir.write("mail.yaml", serverWith("    http: 8025\n")));
	const mail::HttpConfig& http = config.servers.at(0).http;
	BOOST_TEST(http.enabled());
	BOOST_TEST(http.port == 8025);
	BOOST_TEST(http.address == "127.0.0.1");
	BOOST_TEST(http.users.empty());
}


BOOST_AUTO_TEST_CASE(absent_means_no_http_service)
{
	TempDir dir;
	BOOST_TEST(!loadConfig(dir.write("mail.yaml", serverWith(""))).servers.at(0).http.enabled());
}


BOOST_AUTO_TEST_CASE(full_form_with_users_plain_and_hashed)
{
	TempDir dir;
	const std::string hash = mail::hashPassword("s3cret", 1000);
	const mail::Config config = loadConfig(dir.write("mail.yaml",
		serverWith("    http: { port: 8025, address: 0.0.0.0, users: { alice: \"" + hash + "\", bob: plain } }\n")));
	const mail::HttpConfig& http = config.servers.at(0).http;
	BOOST_TEST(http.address == "0.0.0.0");
	BOOST_TEST(http.users.size() == 2u);
	BOOST_TEST(http.users.at("alice") == hash);
	BOOST_TEST(http.users.at("bob") == "plain");
}


BOOST_AUTO_TEST_CASE(other_loopback_addresses_need_no_users)
{
	TempDir dir;
	BOOST_TEST(loadConfig(dir.write("mail.yaml", serverWith("    http: { port: 8025, address: 127.0.0.2 }\n")))
				   .servers.at(0)
				   .http.address
		== "127.0.0.2");
}


BOOST_AUTO_TEST_CASE(refusals)
{
	const std::string open = errorOf(serverWith("    http: { port: 8025, address: 0.0.0.0 }\n"));
	BOOST_TEST(open.find("servers.a.example.http.address:") == 0, open);
	BOOST_TEST(open.find("needs http.users") != std::string::npos, open);
	BOOST_TEST(errorOf(serverWith("    http: { port: 8025, address: 10.1.2.3, users: {} }\n")).find("needs http.users")
		!= std::string::npos);
	BOOST_TEST(errorOf(serverWith("    http: { address: 127.0.0.1 }\n")).find("http.port") != std::string::npos);
	BOOST_TEST(errorOf(serverWith("    http: { port: 8025, tls: yes }\n")).find("unknown key") != std::string::npos);
	BOOST_TEST(errorOf(serverWith("    http: 0\n")).find("out of range") != std::string::npos);
	BOOST_TEST(errorOf(serverWith("    http: { port: 8025, users: { \"a:b\": x } }\n")).find("':'") != std::string::npos);
	BOOST_TEST(errorOf(serverWith("    http: { port: 8025, users: { a: \"$pbkdf2-sha256$i=5$c2FsdA==$aGFzaA==\" } }\n"))
				   .find("bad password hash")
		!= std::string::npos);
	const std::string clash = errorOf("servers:\n  a:\n    smtp: 2525\n    pop: 2110\n    http: 2525\n");
	BOOST_TEST(clash.find("servers.a.http:") == 0, clash);
	BOOST_TEST(clash.find("already used by servers.a.smtp") != std::string::npos, clash);
	// The same port on another address is no clash.
	BOOST_TEST(errorOf("servers:\n  a:\n    address: 127.0.0.5\n    smtp: 2525\n    pop: 2110\n    http: 2525\n").empty());
}


BOOST_AUTO_TEST_SUITE_END()
