// http_router_tests.cpp - HttpRouter: patterns, parameters, decoding, the 400/404/405 answers.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/http/http_error.h"
#include "server/http/http_router.h"

#include <stdexcept>
#include <string>

using mail::HttpError;
using mail::HttpRouter;


namespace {


int statusOf(const HttpRouter& router, const std::string& method, const std::string& path)
{
	try
	{
		return router.match(method, path).status;
	}
	catch (const HttpError& exc)
	{
		return exc.status;
	}
}


HttpRouter sampleRouter(std::string& called)
{
	HttpRouter router;
	router.add("GET", "/api/v1/info", [&called](mail::RouteRequest&, Poco::Net::HTTPServerResponse&) { called = "info"; });
	router.add("GET", "/api/v1/messages/{id}", [](mail::RouteRequest&, Poco::Net::HTTPServerResponse&) {});
	router.add("DELETE", "/api/v1/messages/{id}", [](mail::RouteRequest&, Poco::Net::HTTPServerResponse&) {});
	router.add("GET", "/api/v1/messages/{id}/parts/{n}", [](mail::RouteRequest&, Poco::Net::HTTPServerResponse&) {});
	return router;
}


} // namespace


BOOST_AUTO_TEST_SUITE(http_router_tests)


BOOST_AUTO_TEST_CASE(literal_and_parameter_segments)
{
	std::string called;
	const HttpRouter router = sampleRouter(called);
	const HttpRouter::Match info = router.match("GET", "/api/v1/info/");
	BOOST_REQUIRE(info.handler);
	BOOST_TEST(info.params.empty());
	const HttpRouter::Match part = router.match("GET", "/api/v1/messages/1700000000.M1P2Q3.gmail.com/parts/2");
	BOOST_REQUIRE(part.handler);
	BOOST_TEST(part.params.at("id") == "1700000000.M1P2Q3.gmail.com");
	BOOST_TEST(part.params.at("n") == "2");
	BOOST_TEST(router.match("HEAD", "/api/v1/info").handler == info.handler); // HEAD takes GET's route
}


BOOST_AUTO_TEST_CASE(parameters_are_percent_decoded_one_segment_at_a_time)
{
	std::string called;
	const HttpRouter router = sampleRouter(called);
	BOOST_TEST(router.match("GET", "/api/v1/messages/usr%40gmail.com").params.at("id") == "usr@gmail.com");
	BOOST_TEST(router.match("GET", "/api/v1/messages/a%20b").params.at("id") == "a b");
	BOOST_TEST(statusOf(router, "GET", "/api%2Fv1/info") == 400); // an escaped '/' never splits a segment
}


BOOST_AUTO_TEST_CASE(unknown_path_404_other_method_405_with_allow)
{
	std::string called;
	const HttpRouter router = sampleRouter(called);
	BOOST_TEST(statusOf(router, "GET", "/api/v1/nothing") == 404);
	BOOST_TEST(statusOf(router, "GET", "/api/v1/messages") == 404);
	BOOST_TEST(statusOf(router, "GET", "/api/v1/messages/x/parts") == 404);
	const HttpRouter::Match post = router.match("POST", "/api/v1/messages/x");
	BOOST_TEST(post.status == 405);
	BOOST_TEST(!post.handler);
	BOOST_TEST(post.allow == "DELETE, GET");
}


BOOST_AUTO_TEST_CASE(segments_that_could_name_another_file_are_400)
{
	std::string called;
	const HttpRouter router = sampleRouter(called);
	for (const char* path: {"/api/v1/messages/..", "/api/v1/messages/%2e%2e", "/api/v1/messages/%2E%2E/parts/1",
			 "/api/v1/messages/a..b", "/api/v1/messages/a%2Fb", "/api/v1/messages/a%5Cb", "/api/v1/messages/a\\b",
			 "/api/v1/messages/a%00b", "/api/v1/messages/%zz", "/api/v1/messages/%4", "/../etc/passwd"})
		BOOST_TEST(statusOf(router, "GET", path) == 400, path);
}


BOOST_AUTO_TEST_CASE(bad_patterns_are_refused)
{
	HttpRouter router;
	const auto none = [](mail::RouteRequest&, Poco::Net::HTTPServerResponse&) {};
	BOOST_CHECK_THROW(router.add("GET", "api/v1/x", none), std::invalid_argument);
	router.add("GET", "/api/v1/x/{id}", none);
	BOOST_CHECK_THROW(router.add("GET", "/api/v1/x/{id}", none), std::invalid_argument);
	router.add("POST", "/api/v1/x/{id}", none); // another method is another route
}


BOOST_AUTO_TEST_SUITE_END()
