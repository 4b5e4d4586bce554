// queue_entry_tests.cpp - the one-file queue entry: its head (format, parse, bad input), recovery of
// every interrupted write, quarantine, and old two-file entries (delivery_tests: the spool becoming the entry).
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/store/durable_file.h"
#include "server/store/queue/relay_queue.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>

#include <algorithm>
#include <set>
#include <unistd.h>

using mail::QueueEntryHead;
using mail::QueueEnvelope;
using mail::RecipientState;
using mail::RelayQueue;
using mail::test::filesIn;
using mail::test::TempDir;


namespace {


QueueEntryHead sampleHead()
{
	QueueEntryHead h;
	h.id = "0123456789abcdef0001";
	h.sender = "odd\tsender\\name@x.example";
	h.recipients = {"b@y.example", "c d@z.example"};
	h.arrival = 1764950000;
	h.bodySize = 12;
	h.wireSize = 14;
	h.eightBit = true;
	return h;
}


std::string entryText(const QueueEntryHead& head, const std::string& body)
{
	return mail::formatEntryHead(head) + body;
}


QueueEntryHead headFor(const std::string& id, const std::string& body)
/// A head for an LF body with every line ended.
{
	QueueEntryHead h;
	h.id = id;
	h.sender = "a@x.example";
	h.recipients = {"b@y.example"};
	h.arrival = 5;
	h.bodySize = body.size();
	h.wireSize = body.size() + static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
	return h;
}


} // namespace


BOOST_AUTO_TEST_SUITE(queue_entry_tests)


BOOST_AUTO_TEST_CASE(head_round_trip_with_awkward_fields_and_a_fixed_length)
{
	const QueueEntryHead h = sampleHead();
	const std::string text = mail::formatEntryHead(h);
	QueueEntryHead back;
	const std::string withBody = text + "Subject: x\n\nbody\n";
	BOOST_TEST(mail::parseEntryHead(withBody.data(), withBody.size(), back) == text.size());
	BOOST_TEST(back.id == h.id);
	BOOST_TEST(back.sender == h.sender);
	BOOST_TEST(back.recipients == h.recipients);
	BOOST_TEST(back.arrival == h.arrival);
	BOOST_TEST(back.bodySize == 12u);
	BOOST_TEST(back.wireSize == 14u);
	BOOST_TEST(back.eightBit);
	// Written before the sizes are known, rewritten in place after: the same length.
	QueueEntryHead big = h;
	big.bodySize = 10'000'000'000ULL;
	big.wireSize = 18'446'744'073'709'551'615ULL;
	big.eightBit = false;
	BOOST_TEST(mail::formatEntryHead(big).size() == text.size());
	const QueueEnvelope e = h.envelope();
	BOOST_TEST(e.size == 14);
	BOOST_TEST(e.nextAttempt == h.arrival);
	BOOST_TEST(e.attempts == 0u);
	BOOST_TEST((e.recipients.at(1).state == RecipientState::Pending));
}


BOOST_AUTO_TEST_CASE(a_head_cut_short_asks_for_more)
{
	const std::string text = mail::formatEntryHead(sampleHead());
	QueueEntryHead back;
	for (std::size_t n = 0; n < text.size(); ++n) BOOST_TEST(mail::parseEntryHead(text.data(), n, back) == 0u);
}


BOOST_AUTO_TEST_CASE(bad_heads_are_refused)
{
	const std::string body = "body\t" + std::string(20, '0') + "\t" + std::string(20, '0') + "\t7bit\n";
	const std::string good = "mailq\t1\nid\tx\nsender\ta@b\narrival\t5\n" + body + "rcpt\tb@c\nend\n";
	QueueEntryHead h;
	BOOST_TEST(mail::parseEntryHead(good.data(), good.size(), h) == good.size());
	const std::string bad[] = {
		"version\t2\nid\tx\nend\n",                                                                                               // not a head
		"mailq\t2\nid\tx\nend\n",                                                                                                 // unknown version
		"mailq\t1\nid\tx\nsender\ta@b\narrival\t5\n" + body + "end\n",                                                            // no recipient
		"mailq\t1\nid\tx\nsender\ta@b\narrival\t5\nrcpt\tb@c\nend\n",                                                             // no body line
		"mailq\t1\nsender\ta@b\narrival\t5\n" + body + "rcpt\tb@c\nend\n",                                                        // no id
		"mailq\t1\nid\tx\nsender\ta@b\n" + body + "rcpt\tb@c\nend\n",                                                             // no arrival
		"mailq\t1\nid\tx\narrival\tsoon\n" + body + "rcpt\tb@c\nend\n",                                                           // not a number
		"mailq\t1\nid\tx\narrival\t5\nbody\t12\t14\t7bit\nrcpt\tb@c\nend\n",                                                      // not fixed width
		"mailq\t1\nid\tx\narrival\t5\n" + body + "rcpt\tb@c\tpending\nend\n",                                                     // bad rcpt line
		"mailq\t1\nid\tx\narrival\t5\n" + body + "colour\tred\nrcpt\tb@c\nend\n",                                                 // unknown key
		"mailq\t1\nid\tx\narrival\t5\nbody\t" + std::string(19, '0') + "9\t" + std::string(20, '0') + "\t7bit\nrcpt\tb@c\nend\n", // wire < size
	};
	for (const std::string& text: bad)
	{
		BOOST_CHECK_THROW(mail::parseEntryHead(text.data(), text.size(), h), Poco::DataFormatException);
	}
}


BOOST_AUTO_TEST_CASE(recovery_after_every_interrupted_write)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string body = "Subject: s\n\nbody\n";
	// A: DATA was being spooled (the head, part of the message): never acknowledged.
	tmp.write("00000000000000000a01.mail.tmp", entryText(headFor("00000000000000000a01", body), "Subj"));
	// B: whole and synced, but the rename never happened: no 250 was given either.
	tmp.write("00000000000000000a02.mail.tmp", entryText(headFor("00000000000000000a02", body), body));
	// C: an update cut short: the new state never replaced the old one.
	QueueEntryHead c = headFor("00000000000000000a03", body);
	tmp.write("00000000000000000a03.mail", entryText(c, body));
	QueueEnvelope cState = c.envelope();
	cState.attempts = 2;
	tmp.write("00000000000000000a03.state", mail::formatEnvelope(cState));
	cState.attempts = 3;
	tmp.write("00000000000000000a03.state.tmp", mail::formatEnvelope(cState).substr(0, 20));
	// D: a removal cut short after the entry went: the message is done.
	tmp.write("00000000000000000a04.state", mail::formatEnvelope(headFor("00000000000000000a04", body).envelope()));
	// E: in place, never tried (no state).
	tmp.write("00000000000000000a05.mail", entryText(headFor("00000000000000000a05", body), body));
	// F: an old-format write cut short (message renamed, envelope never), and temp files.
	tmp.write("00000000000000000a06.msg", "Subject: s\r\n\r\n");
	tmp.write("00000000000000000a07.msg.tmp", "half");
	tmp.write("00000000000000000a07.env.tmp", "half");

	const std::vector<QueueEnvelope> scanned = queue.scan();
	BOOST_REQUIRE(scanned.size() == 2u);
	BOOST_TEST(scanned[0].id == "00000000000000000a03");
	BOOST_TEST(scanned[0].attempts == 2u); // the last complete state
	BOOST_TEST(scanned[1].id == "00000000000000000a05");
	BOOST_TEST(scanned[1].attempts == 0u);
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{"00000000000000000a03.mail", "00000000000000000a03.state", "00000000000000000a05.mail"}));
	BOOST_TEST(queue.readMessage("00000000000000000a05") == "Subject: s\r\n\r\nbody\r\n");
}


BOOST_AUTO_TEST_CASE(untrustworthy_entries_are_quarantined_with_their_state)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string body = "Subject: s\n\nbody\n";
	tmp.write("00000000000000000b01.mail", "garbage, no head at all\n");
	tmp.write("00000000000000000b02.mail", entryText(headFor("00000000000000000b02", body), body.substr(0, 5))); // short
	tmp.write("00000000000000000b03.mail", entryText(headFor("00000000000000000b03", body), body + "more"));     // long
	tmp.write("00000000000000000b04.mail", entryText(headFor("00000000000000000bff", body), body));              // another id
	QueueEntryHead e5 = headFor("00000000000000000b05", body);
	tmp.write("00000000000000000b05.mail", entryText(e5, body));
	QueueEnvelope other = e5.envelope();
	other.recipients[0].address = "someone@else.example"; // a state that is not this entry's
	tmp.write("00000000000000000b05.state", mail::formatEnvelope(other));
	QueueEntryHead e6 = headFor("00000000000000000b06", body);
	tmp.write("00000000000000000b06.mail", entryText(e6, body));
	tmp.write("00000000000000000b06.state", "version\t2\nid\t00000000000000000b06\n");             // cut short
	tmp.write("00000000000000000b07.mail", "mailq\t1\n" + std::string(RelayQueue::kMaxHead, 'x')); // no end

	BOOST_TEST(queue.scan().empty());
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{"corrupt"}));
	BOOST_TEST(filesIn(queue.corruptDirectory()) == (std::set<std::string>{"00000000000000000b01.mail", "00000000000000000b02.mail", "00000000000000000b03.mail", "00000000000000000b04.mail", "00000000000000000b05.mail", "00000000000000000b05.state", "00000000000000000b06.mail", "00000000000000000b06.state", "00000000000000000b07.mail"}));
}


BOOST_AUTO_TEST_CASE(old_two_file_entries_of_both_versions_are_recovered_sent_updated_and_removed)
{
	TempDir tmp;
	RelayQueue queue(tmp.path());
	const std::string v1 = "00000000010000000001", v2 = "00000000010000000002";
	const std::string message = "Subject: old\r\n\r\n.dot\r\n\xc3\xa9t\xc3\xa9\r\n";
	tmp.write(v1 + ".msg", message);
	tmp.write(v1 + ".env", "version\t1\nid\t" + v1 + "\nsender\ta@x.example\narrival\t5\nattempts\t1\nnext\t7\nrcpt\tpending\tb@y.example\t\t\t\nend\n");
	tmp.write(v2 + ".msg", message);
	tmp.write(v2 + ".env", "version\t2\nid\t" + v2 + "\nsender\ta@x.example\narrival\t5\nattempts\t0\nnext\t5\nsize\t" + std::to_string(message.size()) + "\nrcpt\tpending\tb@y.example\t\t\t\nend\n");
	const std::vector<QueueEnvelope> scanned = queue.scan();
	BOOST_REQUIRE(scanned.size() == 2u);
	BOOST_TEST(queue.list().size() == 2u);
	for (const QueueEnvelope& e: scanned)
	{
		BOOST_TEST(e.legacy);
		mail::QueuedMessage m = queue.open(e);
		BOOST_TEST(!m.lfLines()); // CRLF as it was stored
		BOOST_TEST(m.eightBit());
		BOOST_TEST(m.wireSize() == message.size());
		BOOST_TEST(m.whole() == message);
	}
	QueueEnvelope e = scanned[1];
	e.attempts = 4;
	queue.update(e); // the .env, as that version kept it
	BOOST_TEST(filesIn(tmp.path()) == (std::set<std::string>{v1 + ".msg", v1 + ".env", v2 + ".msg", v2 + ".env"}));
	QueueEnvelope back;
	BOOST_REQUIRE(queue.load(v2, back));
	BOOST_TEST(back.attempts == 4u);
	queue.remove(v1);
	queue.remove(v2);
	BOOST_TEST(filesIn(tmp.path()).empty());
}


BOOST_AUTO_TEST_SUITE_END()
