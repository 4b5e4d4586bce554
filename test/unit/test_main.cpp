// test_main.cpp - the one Boost.Test module; every *_tests.cpp adds a suite to it.
#define BOOST_TEST_MODULE mail_unit_tests
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
