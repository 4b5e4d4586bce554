// mail_address_tests.cpp - RFC 5321 path and mailbox parsing, table-driven.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/mail/mail_address.h"

#include <string>
#include <vector>

using mail::parseMailbox;
using mail::parsePath;


BOOST_AUTO_TEST_SUITE(mail_address_tests)


namespace {


struct PathRow
{
	std::string input;
	bool allowNull;
	bool ok;
	std::string address;  ///< expected address() when ok
	std::size_t consumed; ///< expected consumed when ok
};


} // namespace


BOOST_AUTO_TEST_CASE(paths)
{
	const std::string longLocal(65, 'a');
	const std::string local64(64, 'a');
	const std::string longLabel(64, 'b');
	const std::string longDomain = std::string(63, 'c') + "." + std::string(63, 'c') + "." + std::string(63, 'c') + "." + std::string(63, 'c');
	const std::vector<PathRow> rows = {
		{"<usr1@mail.sustech.edu.cn>", false, true, "usr1@mail.sustech.edu.cn", 26},
		{"<a@b.c> SIZE=10", false, true, "a@b.c", 7},
		{"usr@gmail.com", false, true, "usr@gmail.com", 13},
		{"usr@gmail.com SIZE=5", false, true, "usr@gmail.com", 13},
		{"<>", true, true, "", 2},
		{"<> BODY=8BITMIME", true, true, "", 2},
		{"<>", false, false, "", 0},
		{"<@relay.example,@b.example:joe@c.example>", false, true, "joe@c.example", 41},
		{"<@relay.example:joe@c.example>", false, true, "joe@c.example", 30},
		{"<@relay..example:joe@c.example>", false, false, "", 0},
		{"<@relay.example joe@c.example>", false, false, "", 0},
		{"<\"john doe\"@example.com>", false, true, "\"john doe\"@example.com", 24},
		{"<\"john\"@example.com>", false, true, "john@example.com", 20},
		{"<\"a>b\"@example.com>", false, true, "\"a>b\"@example.com", 19},
		{"<\"a\\\"b\"@example.com>", false, true, "\"a\\\"b\"@example.com", 20},
		{"<\"unterminated@example.com>", false, false, "", 0},
		{"<user@[127.0.0.1]>", false, true, "user@[127.0.0.1]", 18},
		{"<user@[IPv6:::1]>", false, true, "user@[IPv6:::1]", 17},
		{"<user@[IPv6:zz]>", false, false, "", 0},
		{"<user@[300.0.0.1]>", false, false, "", 0},
		{"<user@[x-tag:abc]>", false, true, "user@[x-tag:abc]", 18},
		{"<" + local64 + "@example.com>", false, true, local64 + "@example.com", 78},
		{"<" + longLocal + "@example.com>", false, false, "", 0},
		{"<a@" + longLabel + ".com>", false, false, "", 0},
		{"<a@" + longDomain + ">", false, false, "", 0},
		{"<a.b-c+d@example.com>", false, true, "a.b-c+d@example.com", 21},
		{"<.a@example.com>", false, false, "", 0},
		{"<a..b@example.com>", false, false, "", 0},
		{"<a.@example.com>", false, false, "", 0},
		{"<a b@example.com>", false, false, "", 0},
		{"<a@example.com", false, false, "", 0},
		{"<a@example.com>x", false, false, "", 0},
		{"<a@-example.com>", false, false, "", 0},
		{"<a@example-.com>", false, false, "", 0},
		{"<a@exa_mple.com>", false, false, "", 0},
		{"<a@example.com.>", false, false, "", 0},
		{"<a@>", false, false, "", 0},
		{"<@example.com>", false, false, "", 0},
		{"<example.com>", false, false, "", 0},
		{"<Postmaster>", false, false, "", 0},
		{"", false, false, "", 0},
		{"<a\x01@example.com>", false, false, "", 0},
		{"<caf\xc3\xa9@example.com>", false, false, "", 0},
	};
	for (const auto& row: rows)
	{
		const auto result = parsePath(row.input, row.allowNull);
		BOOST_CHECK_MESSAGE(result.ok == row.ok, "ok mismatch for '" << row.input << "': " << result.error);
		if (result.ok && row.ok)
		{
			BOOST_CHECK_MESSAGE(result.address.address() == row.address, "'" << row.input << "' -> '" << result.address.address() << "'");
			BOOST_CHECK_MESSAGE(result.consumed == row.consumed, "'" << row.input << "' consumed " << result.consumed);
		}
		if (!result.ok) BOOST_CHECK_MESSAGE(!result.error.empty(), "no reason for '" << row.input << "'");
	}
}


BOOST_AUTO_TEST_CASE(null_path_is_null)
{
	const auto result = parsePath("<>", true);
	BOOST_TEST(result.ok);
	BOOST_TEST(result.address.isNull());
	BOOST_TEST(result.address.path() == "<>");
}


BOOST_AUTO_TEST_CASE(path_longer_than_256_is_rejected)
{
	// A valid mailbox of 64 + 1 + 191 octets fits; the path with brackets is 258.
	std::string domain;
	while (domain.size() < 190) domain += std::string(9, 'd') + ".";
	domain += "com";
	const std::string mailbox = std::string(64, 'a') + "@" + domain;
	BOOST_TEST(parseMailbox(mailbox).ok);
	BOOST_TEST(!parsePath("<" + mailbox + ">", false).ok);
}


BOOST_AUTO_TEST_CASE(mailbox_keeps_parts)
{
	const auto result = parseMailbox("User@Example.COM");
	BOOST_TEST(result.ok);
	BOOST_TEST(result.address.localPart == "User");
	BOOST_TEST(result.address.domain == "Example.COM");
}


BOOST_AUTO_TEST_CASE(domain_of_is_after_the_last_at_as_written)
{
	const struct
	{
		const char* address;
		const char* want;
	} rows[] = {
		{"user@Example.COM", "Example.COM"},
		{"\"a@b\"@c.org", "c.org"},
		{"user@", ""},
		{"no-at-sign", ""},
		{"", ""},
		{"@d.net", "d.net"},
	};
	for (const auto& row: rows)
		BOOST_CHECK_MESSAGE(mail::domainOf(row.address) == row.want, row.address << ": got " << mail::domainOf(row.address));
}


BOOST_AUTO_TEST_SUITE_END()
