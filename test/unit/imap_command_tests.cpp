// imap_command_tests.cpp - the IMAP command parser, sequence sets, literals at a line end,
// the UID list file and MIME sections, table-driven.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/imap/imap_command.h"
#include "server/imap/imap_message.h"
#include "server/imap/imap_reader.h"
#include "server/imap/imap_uid_list.h"

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <fstream>

using namespace mail;


namespace {


struct Row
{
	const char* text;
	const char* tag;
	const char* name;
	bool uid;
	std::size_t args;
	bool ok;
};


const Row kRows[] = {
	{"a1 NOOP", "a1", "NOOP", false, 0, true},
	{"a1 noop", "a1", "NOOP", false, 0, true},
	{"x LOGIN alice \"pass word\"", "x", "LOGIN", false, 2, true},
	{"x LOGIN {5}\r\nalice {3+}\r\npw!", "x", "LOGIN", false, 2, true},
	{"x LOGIN {9}\r\nalice", "x", "LOGIN", false, 0, false}, // literal shorter than announced
	{"x UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>)", "x", "FETCH", true, 2, true},
	{"x UID", "x", "UID", true, 0, false},
	{"x LOGIN \"a\\\"b\" c", "x", "LOGIN", false, 2, true},
	{"x LOGIN \"a\\q\" c", "x", "LOGIN", false, 0, false},    // only \" and \\ escape
	{"x FETCH 1 (FLAGS", "x", "FETCH", false, 0, false},      // unterminated list
	{"x FETCH 1 BODY[HEADER", "x", "FETCH", false, 0, false}, // unterminated [
	{"x  NOOP", "x", "", false, 0, false},                    // two spaces
	{"x NOOP ", "x", "NOOP", false, 0, false},                // trailing space
	{"", "", "", false, 0, false},
	{"* NOOP", "", "", false, 0, false}, // "*" is no tag
	{"x FETCH 1 ((((((((((((((((((FLAGS))))))))))))))))))", "x", "FETCH", false, 1, false},
};


} // namespace


BOOST_AUTO_TEST_SUITE(imap_command)


BOOST_AUTO_TEST_CASE(parses_table)
{
	for (const Row& row: kRows)
	{
		const ImapCommand cmd = parseImapCommand(row.text);
		BOOST_CHECK_MESSAGE(cmd.ok() == row.ok, "'" << row.text << "': ok got " << cmd.ok() << " want " << row.ok << " (" << cmd.error << ")");
		BOOST_CHECK_MESSAGE(cmd.tag == row.tag, "'" << row.text << "': tag got '" << cmd.tag << "' want '" << row.tag << "'");
		if (!row.ok) continue;
		BOOST_CHECK_MESSAGE(cmd.name == row.name, "'" << row.text << "': name got '" << cmd.name << "'");
		BOOST_CHECK_MESSAGE(cmd.uid == row.uid, "'" << row.text << "': uid");
		BOOST_CHECK_MESSAGE(cmd.args.size() == row.args, "'" << row.text << "': args got " << cmd.args.size());
	}
}


BOOST_AUTO_TEST_CASE(literal_and_quoted_contents)
{
	const ImapCommand cmd = parseImapCommand("x LOGIN {5}\r\nalice \"a\\\"b\"");
	BOOST_REQUIRE(cmd.ok());
	BOOST_CHECK_EQUAL(cmd.args[0].text, "alice");
	BOOST_CHECK_EQUAL(cmd.args[1].text, "a\"b");
	const ImapCommand fetch = parseImapCommand("x FETCH 1 (UID BODY[HEADER.FIELDS (A B)]<0.5>)");
	BOOST_REQUIRE(fetch.ok());
	BOOST_REQUIRE_EQUAL(fetch.args[1].items.size(), 2u);
	BOOST_CHECK_EQUAL(fetch.args[1].items[1].text, "BODY[HEADER.FIELDS (A B)]<0.5>");
}


BOOST_AUTO_TEST_CASE(sequence_sets)
{
	ImapSequenceSet set;
	BOOST_CHECK(parseSequenceSet("1:3,7,9:*", set));
	BOOST_CHECK(inSequenceSet(set, 2, 20));
	BOOST_CHECK(!inSequenceSet(set, 5, 20));
	BOOST_CHECK(inSequenceSet(set, 20, 20));
	BOOST_CHECK(parseSequenceSet("30:*", set));
	BOOST_CHECK(inSequenceSet(set, 20, 20)); // n:* with n beyond the largest still holds the largest
	for (const char* bad: {"", "0", "1:", ":1", "1,,2", "a", "1:2:3", "4294967296", "1 2"})
		BOOST_CHECK_MESSAGE(!parseSequenceSet(bad, set), "'" << bad << "' accepted");
	BOOST_CHECK_EQUAL(formatSequenceSet({1, 2, 3, 5, 7, 8}), "1:3,5,7:8");
}


BOOST_AUTO_TEST_CASE(literal_at_line_end)
{
	std::size_t size = 0;
	bool sync = false;
	BOOST_CHECK(literalAtEnd("a LOGIN {12}", size, sync) && size == 12 && sync);
	BOOST_CHECK(literalAtEnd("a LOGIN {3+}", size, sync) && size == 3 && !sync);
	BOOST_CHECK(!literalAtEnd("a LOGIN {}", size, sync));
	BOOST_CHECK(!literalAtEnd("a LOGIN 12}", size, sync));
	BOOST_CHECK(!literalAtEnd("a LOGIN {99999999999}", size, sync));
}


BOOST_AUTO_TEST_CASE(uid_list_keeps_uids_and_validity)
{
	Poco::TemporaryFile dir;
	dir.createDirectories();
	const ImapUids first = assignImapUids(dir.path(), {"a", "b"});
	BOOST_CHECK_EQUAL(first.byBase.at("a"), 1u);
	BOOST_CHECK_EQUAL(first.byBase.at("b"), 2u);
	const ImapUids second = assignImapUids(dir.path(), {"b", "c"});
	BOOST_CHECK_EQUAL(second.validity, first.validity);
	BOOST_CHECK_EQUAL(second.byBase.at("b"), 2u);
	BOOST_CHECK_EQUAL(second.byBase.at("c"), 3u);
	BOOST_CHECK_EQUAL(second.byBase.count("a"), 0u);
	BOOST_CHECK_EQUAL(second.next, 4u);
	std::ofstream(imapUidListPath(dir.path())) << "garbage\n";
	const ImapUids third = assignImapUids(dir.path(), {"b"});
	BOOST_CHECK_NE(third.validity, first.validity); // a damaged list starts a new UIDVALIDITY
	BOOST_CHECK_EQUAL(third.byBase.at("b"), 1u);
}


BOOST_AUTO_TEST_CASE(sections_of_a_multipart)
{
	const std::string text =
		"Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n"
		"Content-Type: text/html\r\n\r\n<p>\r\n--b--\r\n";
	const ImapPart root = parseImapPart(text, 0, text.size());
	BOOST_REQUIRE_EQUAL(root.children.size(), 2u);
	std::string out;
	BOOST_CHECK(imapSection(text, root, "1", out) && out == "one");
	BOOST_CHECK(imapSection(text, root, "2", out) && out == "<p>");
	BOOST_CHECK(imapSection(text, root, "2.MIME", out) && out == "Content-Type: text/html\r\n\r\n");
	BOOST_CHECK(imapSection(text, root, "HEADER.FIELDS (subject)", out) && out == "Subject: s\r\n\r\n");
	BOOST_CHECK(imapSection(text, root, "9", out) && out.empty());
	BOOST_CHECK(!imapSection(text, root, "BOGUS", out));
}


BOOST_AUTO_TEST_SUITE_END()
