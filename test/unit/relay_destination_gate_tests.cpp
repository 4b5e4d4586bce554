// relay_destination_gate_tests.cpp - the per-destination window (one probe, then full) and the dead mark.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/relay/destination_gate.h"

using mail::DestinationGate;
using Admission = DestinationGate::Admission;
using Verdict = DestinationGate::Verdict;


namespace {


DestinationGate gate(unsigned concurrency)
{
	return DestinationGate(concurrency, [](unsigned failures) { return std::chrono::seconds(60 * failures); });
}


} // namespace


BOOST_AUTO_TEST_SUITE(relay_destination_gate_tests)


BOOST_AUTO_TEST_CASE(a_new_destination_gets_one_probe_then_the_full_window)
{
	DestinationGate g = gate(3);
	DestinationGate::Clock::time_point until;
	BOOST_TEST((g.enter("gmail.com", "m1", until) == Admission::Go));
	BOOST_TEST((g.enter("gmail.com", "m2", until) == Admission::Busy));
	BOOST_TEST((g.enter("gmail.com", "m3", until) == Admission::Busy));
	BOOST_TEST((g.enter("qq.com", "m4", until) == Admission::Go)); // other destinations are not held up
	const DestinationGate::Wake wake = g.leave("gmail.com", Verdict::Reached);
	BOOST_TEST(wake.ids == (std::vector<std::string>{"m2", "m3"}), boost::test_tools::per_element());
	for (const char* id: {"m2", "m3", "m5"}) BOOST_TEST((g.enter("gmail.com", id, until) == Admission::Go));
	BOOST_TEST((g.enter("gmail.com", "m6", until) == Admission::Busy)); // window 3 full
}


BOOST_AUTO_TEST_CASE(an_unreachable_destination_is_dead_for_its_retry_interval)
{
	DestinationGate g = gate(20);
	DestinationGate::Clock::time_point until;
	BOOST_TEST((g.enter("down.example", "m1", until) == Admission::Go));
	BOOST_TEST((g.enter("down.example", "m2", until) == Admission::Busy));
	const auto before = DestinationGate::Clock::now();
	const DestinationGate::Wake wake = g.leave("down.example", Verdict::Unreachable);
	BOOST_TEST(wake.ids == std::vector<std::string>{"m2"}, boost::test_tools::per_element());
	BOOST_TEST((wake.at >= before + std::chrono::seconds(60))); // they wait out the dead time together
	BOOST_TEST((g.enter("down.example", "m3", until) == Admission::Dead));
	BOOST_TEST((until == wake.at));
	const auto snapshot = g.snapshot();
	BOOST_REQUIRE(snapshot.size() == 1u);
	BOOST_TEST(snapshot[0].window == 1u);
	BOOST_TEST(snapshot[0].inFlight == 0u);
}


BOOST_AUTO_TEST_CASE(an_operator_retry_ends_the_dead_time_with_one_probe)
{
	DestinationGate g = gate(20);
	DestinationGate::Clock::time_point until;
	BOOST_TEST((g.enter("down.example", "m1", until) == Admission::Go));
	g.leave("down.example", Verdict::Unreachable);
	BOOST_TEST((g.enter("down.example", "m2", until) == Admission::Dead));
	g.revive("down.example");
	BOOST_TEST((g.enter("down.example", "m2", until) == Admission::Go));
	BOOST_TEST((g.enter("down.example", "m3", until) == Admission::Busy)); // one probe, not the full window
	g.leave("down.example", Verdict::Unreachable);
	BOOST_TEST((g.enter("down.example", "m3", until) == Admission::Dead));
	g.reviveAll();
	BOOST_TEST((g.enter("down.example", "m3", until) == Admission::Go));
}


BOOST_AUTO_TEST_CASE(an_unknown_verdict_keeps_the_window_and_hands_back_the_waiting)
{
	DestinationGate g = gate(20);
	DestinationGate::Clock::time_point until;
	BOOST_TEST((g.enter("x.example", "m1", until) == Admission::Go));
	BOOST_TEST((g.enter("x.example", "m2", until) == Admission::Busy));
	const DestinationGate::Wake wake = g.leave("x.example", Verdict::Unknown);
	BOOST_TEST(wake.ids == std::vector<std::string>{"m2"}, boost::test_tools::per_element());
	BOOST_TEST((g.enter("x.example", "m2", until) == Admission::Go));
	BOOST_TEST((g.enter("x.example", "m3", until) == Admission::Busy)); // still one probe
}


BOOST_AUTO_TEST_SUITE_END()
