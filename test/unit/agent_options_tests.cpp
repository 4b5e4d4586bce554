// agent_options_tests.cpp - mail-agent command line parsing.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "agent/agent_options.h"


using namespace mail;


BOOST_AUTO_TEST_SUITE(agent_options_tests)


BOOST_AUTO_TEST_CASE(interactive_with_overrides)
{
	auto o = parseAgentOptions({"-e", "usr1@mail.sustech.edu.cn", "-p", "pass1", "--conf", "x.yaml", "-s", "smtp.x", "-P", "pop.x"});
	BOOST_TEST((o.mode == AgentMode::Interactive));
	BOOST_TEST(o.email == "usr1@mail.sustech.edu.cn");
	BOOST_TEST(o.password == "pass1");
	BOOST_TEST(o.confPath == "x.yaml");
	BOOST_TEST(o.confGiven);
	BOOST_TEST(o.smtpHost == "smtp.x");
	BOOST_TEST(o.popHost == "pop.x");
}


BOOST_AUTO_TEST_CASE(c_is_conf_except_after_ping)
{
	auto mailMode = parseAgentOptions({"-c", "a.yaml", "-e", "a@b", "-p", "x"});
	BOOST_TEST(mailMode.confPath == "a.yaml");
	auto ping = parseAgentOptions({"ping", "127.0.0.1", "-c", "3", "-i", "0.2", "-W", "2", "--conf", "b.yaml"});
	BOOST_TEST((ping.mode == AgentMode::Ping));
	BOOST_TEST(ping.ping.count == 3u);
	BOOST_TEST(ping.ping.interval == 0.2);
	BOOST_TEST(ping.ping.timeout == 2.0);
	BOOST_TEST(ping.confPath == "b.yaml");
	BOOST_TEST(ping.host == "127.0.0.1");
	auto trace = parseAgentOptions({"trace", "h", "--max-hops", "5", "-n", "-c", "c.yaml"});
	BOOST_TEST((trace.mode == AgentMode::Trace));
	BOOST_TEST(trace.trace.maxHops == 5u);
	BOOST_TEST(trace.trace.numeric);
	BOOST_TEST(trace.confPath == "c.yaml");
}


BOOST_AUTO_TEST_CASE(send_and_pop_one_shots)
{
	auto send = parseAgentOptions({"-e", "a@b", "-p", "x", "send", "--to", "c@d", "--to", "e@f", "--subject", "s", "--body", "hi"});
	BOOST_TEST((send.mode == AgentMode::Send));
	BOOST_TEST(send.to.size() == 2u);
	BOOST_TEST(send.body == "hi");
	auto pop = parseAgentOptions({"-e", "a@b", "-p", "x", "pop", "retr", "2"});
	BOOST_TEST((pop.mode == AgentMode::Pop));
	BOOST_TEST(pop.popCommand.size() == 2u);
	BOOST_TEST(pop.popCommand[0] == "retr");
	auto imap = parseAgentOptions({"-e", "a@b", "-p", "x", "-I", "127.0.0.1:1143", "--imaps", "imap", "flag", "4", "\\Seen"});
	BOOST_TEST((imap.mode == AgentMode::Imap));
	BOOST_TEST(imap.imapHost == "127.0.0.1:1143");
	BOOST_TEST(imap.imaps);
	BOOST_TEST(!imap.tls);
	BOOST_TEST(imap.imapCommand == (std::vector<std::string>{"flag", "4", "\\Seen"}), boost::test_tools::per_element());
}


BOOST_AUTO_TEST_CASE(bad_command_lines_are_usage_errors)
{
	const std::vector<std::vector<std::string>> rows = {
		{},                            // no account
		{"-e", "a@b"},                 // no password
		{"-e", "nodomain", "-p", "x"}, // not an address
		{"-e", "a@b", "-p"},           // missing value
		{"ping"},                      // no host
		{"ping", "h", "-c", "0"},
		{"ping", "h", "-c", "3x"},
		{"ping", "h", "-i", "-1"},
		{"ping", "h", "-W", "nan"},
		{"ping", "h", "other"},
		{"trace", "h", "--max-hops", "256"},
		{"trace", "h", "-i", "1"},                                         // ping's option
		{"-e", "a@b", "-p", "x", "send", "--subject", "s", "--body", "b"}, // no --to
		{"-e", "a@b", "-p", "x", "send", "--to", "c@d"},                   // no body
		{"-e", "a@b", "-p", "x", "send", "--to", "c@d", "--body", "b", "--body-file", "f"},
		{"-e", "a@b", "-p", "x", "pop"},
		{"-e", "a@b", "-p", "x", "imap"},
		{"-e", "a@b", "-p", "x", "-I"},
		{"-e", "a@b", "-p", "x", "frobnicate"},
		{"--bogus"},
	};
	for (const auto& args: rows)
	{
		std::string joined;
		for (const auto& a: args) joined += a + " ";
		BOOST_TEST_INFO("args: " << joined);
		BOOST_CHECK_THROW(parseAgentOptions(args), UsageError);
	}
}


BOOST_AUTO_TEST_CASE(help_needs_nothing_else)
{
	BOOST_TEST((parseAgentOptions({"--help"}).mode == AgentMode::Help));
	BOOST_TEST((parseAgentOptions({"ping", "-h"}).mode == AgentMode::Help));
}


BOOST_AUTO_TEST_SUITE_END()
