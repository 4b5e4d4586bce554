// pop3_command_tests.cpp - the strict POP3 command parser, table-driven.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/pop3/pop3_command.h"

using mail::parsePop3Command;
using mail::Pop3Verb;


namespace {


struct ParseRow
{
	const char* line;
	Pop3Verb verb;
	bool ok;
	std::size_t numberCount;
	std::uint64_t first;
	std::uint64_t second;
	const char* text;
};


const ParseRow kRows[] = {
	// verbs, case-insensitive
	{"STAT", Pop3Verb::Stat, true, 0, 0, 0, ""},
	{"stat", Pop3Verb::Stat, true, 0, 0, 0, ""},
	{"sTaT", Pop3Verb::Stat, true, 0, 0, 0, ""},
	{"NOOP", Pop3Verb::Noop, true, 0, 0, 0, ""},
	{"RSET", Pop3Verb::Rset, true, 0, 0, 0, ""},
	{"QUIT", Pop3Verb::Quit, true, 0, 0, 0, ""},
	{"CAPA", Pop3Verb::Capa, true, 0, 0, 0, ""},
	{"STLS", Pop3Verb::Stls, true, 0, 0, 0, ""},
	{"XTND", Pop3Verb::Unknown, false, 0, 0, 0, ""},
	{"", Pop3Verb::Unknown, false, 0, 0, 0, ""},
	{" STAT", Pop3Verb::Unknown, false, 0, 0, 0, ""},
	{"STATX", Pop3Verb::Unknown, false, 0, 0, 0, ""},
	// no extra arguments
	{"STAT 1", Pop3Verb::Stat, false, 0, 0, 0, ""},
	{"QUIT now", Pop3Verb::Quit, false, 0, 0, 0, ""},
	{"NOOP x", Pop3Verb::Noop, false, 0, 0, 0, ""},
	// LIST / UIDL: optional number
	{"LIST", Pop3Verb::List, true, 0, 0, 0, ""},
	{"LIST 1", Pop3Verb::List, true, 1, 1, 0, ""},
	{"list 42", Pop3Verb::List, true, 1, 42, 0, ""},
	{"LIST 007", Pop3Verb::List, true, 1, 7, 0, ""},
	{"LIST 1 2", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST x", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST -1", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST +1", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST 0x1", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST 1a", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST 1.5", Pop3Verb::List, false, 0, 0, 0, ""},
	{"LIST \t1", Pop3Verb::List, false, 0, 0, 0, ""},
	{"UIDL", Pop3Verb::Uidl, true, 0, 0, 0, ""},
	{"UIDL 3", Pop3Verb::Uidl, true, 1, 3, 0, ""},
	{"UIDL a", Pop3Verb::Uidl, false, 0, 0, 0, ""},
	// RETR / DELE: exactly one number
	{"RETR 1", Pop3Verb::Retr, true, 1, 1, 0, ""},
	{"RETR 0", Pop3Verb::Retr, true, 1, 0, 0, ""}, // parses; the session says "no such message"
	{"RETR", Pop3Verb::Retr, false, 0, 0, 0, ""},
	{"RETR ", Pop3Verb::Retr, false, 0, 0, 0, ""},
	{"RETR 1 1", Pop3Verb::Retr, false, 0, 0, 0, ""},
	{"RETR 18446744073709551615", Pop3Verb::Retr, true, 1, 18446744073709551615ull, 0, ""},
	{"RETR 18446744073709551616", Pop3Verb::Retr, false, 0, 0, 0, ""},
	{"RETR 99999999999999999999999999", Pop3Verb::Retr, false, 0, 0, 0, ""},
	{"DELE 2", Pop3Verb::Dele, true, 1, 2, 0, ""},
	{"DELE", Pop3Verb::Dele, false, 0, 0, 0, ""},
	{"DELE one", Pop3Verb::Dele, false, 0, 0, 0, ""},
	// TOP: exactly two numbers
	{"TOP 1 0", Pop3Verb::Top, true, 2, 1, 0, ""},
	{"top 2 10", Pop3Verb::Top, true, 2, 2, 10, ""},
	{"TOP 1", Pop3Verb::Top, false, 0, 0, 0, ""},
	{"TOP", Pop3Verb::Top, false, 0, 0, 0, ""},
	{"TOP 1 2 3", Pop3Verb::Top, false, 0, 0, 0, ""},
	{"TOP 1 -2", Pop3Verb::Top, false, 0, 0, 0, ""},
	// USER: one word; PASS: the rest of the line
	{"USER usr@gmail.com", Pop3Verb::User, true, 0, 0, 0, "usr@gmail.com"},
	{"USER", Pop3Verb::User, false, 0, 0, 0, ""},
	{"USER a b", Pop3Verb::User, false, 0, 0, 0, ""},
	{"PASS secret", Pop3Verb::Pass, true, 0, 0, 0, "secret"},
	{"PASS with spaces inside", Pop3Verb::Pass, true, 0, 0, 0, "with spaces inside"},
	{"PASS", Pop3Verb::Pass, false, 0, 0, 0, ""},
	{"PASS ", Pop3Verb::Pass, false, 0, 0, 0, ""},
	{"APOP u 0123", Pop3Verb::Apop, true, 0, 0, 0, "u 0123"},
	{"AUTH PLAIN", Pop3Verb::Auth, true, 0, 0, 0, "PLAIN"},
};


} // namespace


BOOST_AUTO_TEST_SUITE(pop3_command_tests)


BOOST_AUTO_TEST_CASE(parse_table)
{
	for (const ParseRow& row: kRows)
	{
		const mail::Pop3Command cmd = parsePop3Command(row.line);
		const std::string name = std::string("line \"") + row.line + "\"";
		BOOST_CHECK_MESSAGE(cmd.verb == row.verb, name << ": verb " << mail::toString(cmd.verb));
		BOOST_CHECK_MESSAGE(cmd.ok() == row.ok, name << ": ok=" << cmd.ok() << " error=" << cmd.error);
		if (!row.ok || !cmd.ok()) continue;
		BOOST_CHECK_MESSAGE(cmd.numberCount == row.numberCount, name << ": numberCount " << cmd.numberCount);
		BOOST_CHECK_MESSAGE(cmd.numbers[0] == row.first, name << ": first " << cmd.numbers[0]);
		BOOST_CHECK_MESSAGE(cmd.numbers[1] == row.second, name << ": second " << cmd.numbers[1]);
		BOOST_CHECK_MESSAGE(cmd.text == row.text, name << ": text \"" << cmd.text << "\"");
	}
}


BOOST_AUTO_TEST_CASE(errors_are_explained)
{
	BOOST_TEST(parsePop3Command("FOO").error == "unknown command");
	BOOST_TEST(parsePop3Command("RETR x").error == "invalid number x");
	BOOST_TEST(parsePop3Command("STAT 1").error == "STAT takes no argument");
	BOOST_TEST(parsePop3Command("TOP 1").error == "TOP needs a message number and a line count");
}


BOOST_AUTO_TEST_CASE(verb_text_kept_as_typed)
{
	BOOST_TEST(parsePop3Command("rEtR 5").verbText == "rEtR");
	BOOST_TEST(std::string(mail::toString(Pop3Verb::Uidl)) == "UIDL");
	BOOST_TEST(std::string(mail::toString(Pop3Verb::Unknown)) == "UNKNOWN");
}


BOOST_AUTO_TEST_CASE(parse_decimal_boundaries)
{
	std::uint64_t value = 77;
	BOOST_TEST(!mail::parseDecimal("", value));
	BOOST_TEST(value == 77u);
	BOOST_TEST(mail::parseDecimal("0", value));
	BOOST_TEST(value == 0u);
	BOOST_TEST(mail::parseDecimal("18446744073709551615", value));
	BOOST_TEST(value == 18446744073709551615ull);
	BOOST_TEST(!mail::parseDecimal("18446744073709551616", value));
	BOOST_TEST(!mail::parseDecimal("1 ", value));
	BOOST_TEST(!mail::parseDecimal("\xd9\xa1", value)); // Arabic-Indic digit one: not ASCII
}


BOOST_AUTO_TEST_SUITE_END()
