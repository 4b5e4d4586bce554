// sasl_tests.cpp - strict base64 and the SASL PLAIN/LOGIN decoders both sessions use.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/base/base64.h"
#include "server/auth/sasl.h"

using namespace mail;


BOOST_AUTO_TEST_SUITE(sasl_tests)


BOOST_AUTO_TEST_CASE(base64_round_trips_rfc4648_vectors)
{
	const std::pair<const char*, const char*> rows[] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
	for (const auto& row: rows)
	{
		BOOST_CHECK_EQUAL(encodeBase64(row.first), row.second);
		const auto decoded = decodeBase64Strict(row.second);
		BOOST_REQUIRE(decoded);
		BOOST_CHECK_EQUAL(*decoded, row.first);
	}
	BOOST_CHECK_EQUAL(decodeBase64Strict("Zm8").value_or("?"), "fo"); // padding may be left out
}


BOOST_AUTO_TEST_CASE(base64_refuses_what_sasl_never_sends)
{
	for (const char* bad: {"Zm9v YmFy", "Zm9v\r\n", "Z", "Zm9vY", "Zg=", "Zg===", "=Zg=", "Zh==", "Zm9v!", "Zm=v"})
		BOOST_CHECK_MESSAGE(!decodeBase64Strict(bad), "accepted " << bad);
}


BOOST_AUTO_TEST_CASE(plain_splits_three_fields)
{
	// RFC 4616 section 4 example: "\0tim\0tanstaaftanstaaf".
	const auto plain = decodeSaslPlain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	BOOST_REQUIRE(plain);
	BOOST_CHECK_EQUAL(plain->authzid, "");
	BOOST_CHECK_EQUAL(plain->authcid, "tim");
	BOOST_CHECK_EQUAL(plain->password, "tanstaaftanstaaf");
	const auto withAuthzid = decodeSaslPlain(encodeBase64(std::string("Ursel\0Kurt\0xipj3plmq", 20)));
	BOOST_REQUIRE(withAuthzid);
	BOOST_CHECK_EQUAL(withAuthzid->authzid, "Ursel");
	BOOST_CHECK_EQUAL(withAuthzid->authcid, "Kurt");
	BOOST_CHECK_EQUAL(encodeSaslPlain("tim", "tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}


BOOST_AUTO_TEST_CASE(plain_refuses_malformed)
{
	const std::string rows[] = {
		std::string("tim\0pass", 8),                       // one NUL
		std::string("\0tim\0pass\0x", 11),                 // three NULs
		std::string("\0\0pass", 6),                        // empty authcid
		std::string("\0tim\0", 5),                         // empty password
		std::string("\0tim\0", 5) + std::string(256, 'p'), // password over 255 octets
	};
	for (const auto& row: rows) BOOST_CHECK(!decodeSaslPlain(encodeBase64(row)));
	BOOST_CHECK(!decodeSaslPlain("not base64!"));
	BOOST_CHECK(!decodeSaslPlain(""));
}


BOOST_AUTO_TEST_CASE(login_step_is_one_clean_field)
{
	BOOST_CHECK_EQUAL(decodeSaslLogin("dXNyMUBtYWlsLnN1c3RlY2guZWR1LmNu").value_or("?"), "usr1@mail.sustech.edu.cn");
	BOOST_CHECK(!decodeSaslLogin(""));
	BOOST_CHECK(!decodeSaslLogin(encodeBase64(std::string("a\0b", 3))));
	BOOST_CHECK(!decodeSaslLogin(encodeBase64("a\r\nQUIT")));
	BOOST_CHECK(!decodeSaslLogin(encodeBase64(std::string(256, 'x'))));
	BOOST_CHECK(isSaslCancel("*"));
	BOOST_CHECK(!isSaslCancel("**"));
}


BOOST_AUTO_TEST_SUITE_END()
