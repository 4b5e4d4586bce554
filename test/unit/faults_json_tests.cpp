// faults_json_tests.cpp - /api/v1/faults shapes and fault control requests on one FaultRules.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/control/fault_commands.h"
#include "server/faults/faults_json.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>
#include <stdexcept>

using namespace mail;


namespace {


std::string text(const Poco::JSON::Object::Ptr& object)
{
	std::ostringstream out;
	Poco::JSON::Stringifier::stringify(object, out);
	return out.str();
}


} // namespace


BOOST_AUTO_TEST_SUITE(faults_json_tests)


BOOST_AUTO_TEST_CASE(post_takes_json_get_lists_delete_clears)
{
	FaultRules faults;
	BOOST_TEST(text(faultsJson(faults.list())) == "{\"rules\":[]}");
	const auto added = addFaultJson(faults, "{\"stage\": \"rcpt\", \"reply\": \"451 4.7.1 later\", \"times\": 2}");
	BOOST_TEST(text(added) == "{\"index\":1,\"rule\":\"{stage: rcpt, reply: \\\"451 4.7.1 later\\\", times: 2}\"}");
	FaultQuery query;
	query.stage = FaultStage::Rcpt;
	faults.evaluate(query);
	BOOST_TEST(text(faultsJson(faults.list()))
		==
		"{\"rules\":[{\"index\":1,\"hits\":1,\"stage\":\"rcpt\",\"action\":\"reply\",\"rule\":\"{stage: rcpt, reply: "
		"\\\"451 4.7.1 later\\\", times: 2}\"}]}");
	BOOST_CHECK_THROW(addFaultJson(faults, "{\"stage\": \"rcpt\", \"reply\": \"250 ok\"}"), std::invalid_argument);
	BOOST_TEST(text(clearFaultsJson(faults)) == "{\"cleared\":1}");
	BOOST_TEST(!faults.active());
}


BOOST_AUTO_TEST_CASE(control_requests_add_list_clear)
{
	FaultRules faults;
	BOOST_TEST(handleFaultRequest(faults, "list") == "ok\nno fault rules\n");
	BOOST_TEST(handleFaultRequest(faults, "add {stage: connect, drop: true}") == "ok\nadded {stage: connect, drop: true}\n");
	BOOST_TEST(handleFaultRequest(faults, "list") == "ok\n1 hits=0 {stage: connect, drop: true}\n");
	BOOST_TEST(handleFaultRequest(faults, "add {stage: connect}").rfind("error rule: expected exactly one action", 0) == 0);
	BOOST_TEST(handleFaultRequest(faults, "add").rfind("error unknown request", 0) == 0);
	BOOST_TEST(handleFaultRequest(faults, "clear") == "ok\n1 fault rules cleared\n");
}


BOOST_AUTO_TEST_SUITE_END()
