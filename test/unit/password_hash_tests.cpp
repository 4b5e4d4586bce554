// password_hash_tests.cpp - plain and PBKDF2-SHA256 account passwords.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/mail/password_hash.h"

using namespace mail;


BOOST_AUTO_TEST_SUITE(password_hash_tests)


BOOST_AUTO_TEST_CASE(plain_passwords_compare_exactly)
{
	BOOST_CHECK(verifyPassword("pass1", "pass1"));
	BOOST_CHECK(!verifyPassword("pass1", "Pass1"));
	BOOST_CHECK(!verifyPassword("pass1", "pass"));
	BOOST_CHECK(!verifyPassword("pass1", "pass12"));
	BOOST_CHECK(!verifyPassword("pass1", ""));
	BOOST_CHECK(checkPasswordHash("pass1").empty());
}


BOOST_AUTO_TEST_CASE(known_vector_matches_pbkdf2_sha256)
{
	// Computed independently: python3 -c "import hashlib, base64;
	// print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'passwd', b'salt', 1000)).decode())"
	const std::string stored = "$pbkdf2-sha256$i=1000$c2FsdA==$+pwVjmeL/pQYmwsacHoJIWcv3J8R+peIBZad8xLCyO8=";
	BOOST_CHECK(checkPasswordHash(stored).empty());
	BOOST_CHECK(verifyPassword(stored, "passwd"));
	BOOST_CHECK(!verifyPassword(stored, "passwe"));
}


BOOST_AUTO_TEST_CASE(new_hashes_verify_and_differ_by_salt)
{
	const std::string a = hashPassword("s3cret pass", 1000);
	const std::string b = hashPassword("s3cret pass", 1000);
	BOOST_CHECK(a != b);
	BOOST_CHECK(a.rfind("$pbkdf2-sha256$i=1000$", 0) == 0);
	BOOST_CHECK(isPasswordHash(a));
	BOOST_CHECK(checkPasswordHash(a).empty());
	BOOST_CHECK(verifyPassword(a, "s3cret pass"));
	BOOST_CHECK(verifyPassword(b, "s3cret pass"));
	BOOST_CHECK(!verifyPassword(a, "s3cret Pass"));
	// The hash string itself is not the password.
	BOOST_CHECK(!verifyPassword(a, a));
}


BOOST_AUTO_TEST_CASE(malformed_hashes_are_named_and_never_match)
{
	const char* rows[] = {
		"$pbkdf2-sha256$",
		"$pbkdf2-sha256$i=1000$c2FsdA==",
		"$pbkdf2-sha256$1000$c2FsdA==$pZ4HwwPK",
		"$pbkdf2-sha256$i=10$c2FsdA==$pZ4HwwPK",          // too few iterations
		"$pbkdf2-sha256$i=99999999999$c2FsdA==$pZ4HwwPK", // too many
		"$pbkdf2-sha256$i=1000$!!$pZ4HwwPK",
		"$pbkdf2-sha256$i=1000$c2FsdA==$",
		"$pbkdf2-sha256$i=1000$c2FsdA==$pZ4HwwPK$x",
	};
	for (const char* row: rows)
	{
		BOOST_CHECK_MESSAGE(!checkPasswordHash(row).empty(), "accepted " << row);
		BOOST_CHECK(!verifyPassword(row, "passwd"));
	}
}


BOOST_AUTO_TEST_SUITE_END()
