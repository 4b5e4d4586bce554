// errors_tests.cpp - ConfigError formatting.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/base/errors.h"


BOOST_AUTO_TEST_SUITE(errors_tests)


BOOST_AUTO_TEST_CASE(config_error_names_file_line_and_key)
{
	mail::ConfigError e("conf/mail.yaml", 12, "servers.gmail.com.smtp", "port out of range");
	BOOST_TEST(std::string(e.what()) == "conf/mail.yaml:12: servers.gmail.com.smtp: port out of range");
	BOOST_TEST(e.line() == 12);
}


BOOST_AUTO_TEST_CASE(config_error_without_line)
{
	mail::ConfigError e("x.yaml", 0, "", "cannot open file");
	BOOST_TEST(std::string(e.what()) == "x.yaml: cannot open file");
}


BOOST_AUTO_TEST_SUITE_END()
