// spool_file_tests.cpp - streaming a message to disk: LF ends, sizes, removal.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/store/durable_file.h"
#include "server/mail/spool_file.h"

#include <Poco/File.h>


BOOST_AUTO_TEST_SUITE(spool_file_tests)


BOOST_AUTO_TEST_CASE(lines_are_stored_with_lf_and_counted_with_crlf)
{
	mail::test::TempDir dir;
	std::string path;
	{
		mail::SpoolFile spool(dir.path());
		path = spool.path();
		spool.writeCrlfText("Received: a\r\n\tb\r\n");
		const std::string big(900, 'x');
		for (int i = 0; i < 200; ++i) spool.line(big); // more than the buffer: written as it goes
		spool.line("");
		spool.end();
		const std::string data = mail::readWholeFile(path);
		BOOST_TEST(data.size() == spool.size());
		BOOST_TEST(data.substr(0, 16) == "Received: a\n\tb\nx");
		BOOST_TEST(spool.wireSize() == spool.size() + 203);
		BOOST_TEST(spool.size() == 15u + 200u * 901u + 1u);
	}
	BOOST_TEST(!Poco::File(path).exists()); // the owner's copy goes with it
}


BOOST_AUTO_TEST_CASE(a_write_error_is_reported_at_the_end)
{
	mail::test::TempDir dir;
	mail::SpoolFile spool(dir.path());
	const std::string big(1000, 'y');
	spool.end();                                   // ended: the next flush cannot write
	for (int i = 0; i < 100; ++i) spool.line(big); // never throws while DATA is read
	BOOST_CHECK_THROW(spool.end(), Poco::Exception);
}


BOOST_AUTO_TEST_SUITE_END()
