// smtp_session_tests.cpp - the SMTP session state machine driven over a loopback socket.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/mail/delivery.h"
#include "server/store/queue/relay_queue.h"
#include "server/server_context.h"
#include "server/smtp/smtp_session.h"
#include "server/store/maildir_store.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

using mail::test::SocketPair;
using mail::test::TempDir;


BOOST_AUTO_TEST_SUITE(smtp_session_tests)


namespace {


/// Files in a spool directory that hold a message (not the empty ones made ahead).
std::size_t spooledMessages(const std::string& spool)
{
	std::size_t n = 0;
	for (Poco::DirectoryIterator it(spool), end; it != end; ++it)
	{
		if (it->getSize() > 0) ++n;
	}
	return n;
}


/// One server with two local accounts; the relay queue lives under a plain file, so
/// every enqueue fails whatever RelayQueue does.
struct SessionFixture
{
	SessionFixture():
		queueBlocker(dir.write("blocker", "x")),
		context(config, makeServer(), dir.path() + "/srv"),
		store(context.mailDir()),
		queue(queueBlocker + "/queue"),
		delivery(server, store, queue)
	{
	}

	const mail::ServerConfig& makeServer()
	{
		server.name = "srv.example";
		server.addAccount("usr1@local.example", "p1");
		server.addAccount("Usr2@local.example", "p2");
		server.domains = {"local.example"};
		server.limits.maxRecipients = 3;
		server.limits.softErrors = 100;
		server.limits.hardErrors = 6;
		return server;
	}

	/// Sends everything in one write, runs one session, returns the reply codes.
	std::string dialogue(const std::string& input, std::string* transcript = nullptr)
	{
		SocketPair pair;
		std::thread serverThread([&] { mail::SmtpSession(context, delivery, pair.server, "test").run(); });
		pair.client.sendBytes(input.data(), static_cast<int>(input.size()));
		std::string received;
		char buffer[4096];
		pair.client.setReceiveTimeout(Poco::Timespan(10, 0));
		for (;;)
		{
			const int n = pair.client.receiveBytes(buffer, sizeof buffer);
			if (n <= 0) break;
			received.append(buffer, static_cast<std::size_t>(n));
			if (received.find("\r\n221 ") != std::string::npos || received.find("\r\n421 ") != std::string::npos) break;
		}
		serverThread.join();
		if (transcript) *transcript = received;
		std::istringstream lines(received);
		std::string line, codes;
		while (std::getline(lines, line))
		{
			if (line.size() >= 4 && line[3] == ' ') codes += line.substr(0, 3) + " ";
		}
		return codes;
	}

	struct DialogueRow
	{
		const char* name;
		std::string input;
		std::string codes; ///< the reply codes dialogue() returns
	};

	void expectCodes(const std::vector<DialogueRow>& rows)
	{
		for (const auto& row: rows)
		{
			const std::string codes = dialogue(row.input);
			BOOST_CHECK_MESSAGE(codes == row.codes, row.name << ": got '" << codes << "' want '" << row.codes << "'");
		}
	}

	std::size_t count(const std::string& mailbox)
	{
		const std::string path = context.mailDir() + "/" + mailbox + "/new";
		if (!Poco::File(path).exists()) return 0;
		std::size_t n = 0;
		for (Poco::DirectoryIterator it(path), end; it != end; ++it) ++n;
		return n;
	}

	std::string first(const std::string& mailbox)
	/// The content of one message in the mailbox's new/.
	{
		Poco::DirectoryIterator it(context.mailDir() + "/" + mailbox + "/new");
		Poco::FileInputStream in(it->path());
		std::string text;
		Poco::StreamCopier::copyToString(in, text);
		return text;
	}

	TempDir dir;
	std::string queueBlocker;
	mail::Config config;
	mail::ServerConfig server;
	mail::ServerContext context;
	mail::MaildirStore store;
	mail::RelayQueue queue;
	mail::Delivery delivery;
};


} // namespace


BOOST_FIXTURE_TEST_CASE(dialogues, SessionFixture)
{
	const std::vector<DialogueRow> rows = {
		{"quit", "QUIT\r\n", "220 221 "},
		{"helo then quit", "HELO c\r\nQUIT\r\n", "220 250 221 "},
		{"mail before helo", "MAIL FROM:<a@x.org>\r\nQUIT\r\n", "220 503 221 "},
		{"rcpt before mail", "EHLO c\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 503 221 "},
		{"data before rcpt", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nDATA\r\nQUIT\r\n", "220 250 250 503 221 "},
		{"nested mail", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nMAIL FROM:<a@x.org>\r\nQUIT\r\n", "220 250 250 503 221 "},
		{"rset ends the transaction", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nRSET\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 250 250 503 221 "},
		{"helo ends the transaction", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nHELO c\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 250 250 503 221 "},
		{"unknown local sender", "EHLO c\r\nMAIL FROM:<ghost@local.example>\r\nQUIT\r\n", "220 250 550 221 "},
		{"null sender", "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 250 250 221 "},
		{"foreign to foreign", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<b@y.org>\r\nQUIT\r\n", "220 250 250 550 221 "},
		{"unknown local rcpt", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<nobody@LOCAL.example>\r\nQUIT\r\n", "220 250 250 550 221 "},
		{"too many recipients", "EHLO c\r\nMAIL FROM:<usr1@local.example>\r\nRCPT TO:<a@y.org>\r\nRCPT TO:<b@y.org>\r\nRCPT TO:<c@y.org>\r\nRCPT TO:<d@y.org>\r\nQUIT\r\n", "220 250 250 250 250 250 452 221 "},
		{"bad sender syntax opens no transaction", "EHLO c\r\nMAIL FROM:<a@>\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 501 503 221 "},
		{"declared size over the limit", "EHLO c\r\nMAIL FROM:<a@x.org> SIZE=999999999\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 552 503 221 "},
		{"bad recipient syntax keeps the transaction", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<b@>\r\nRCPT TO:<usr1@local.example>\r\nQUIT\r\n", "220 250 250 501 250 221 "},
		{"expn refused, starttls without tls: configured", "EHLO c\r\nEXPN x\r\nSTARTTLS\r\nQUIT\r\n", "220 250 502 502 221 "},
		{"auth not enabled without tls: or require_auth", "EHLO c\r\nAUTH PLAIN\r\nQUIT\r\n", "220 250 503 221 "},
		{"hard error limit", "A\r\nB\r\nC\r\nD\r\nE\r\nF\r\nNOOP\r\n", "220 500 500 500 500 500 500 421 "},
	};
	expectCodes(rows);
}


BOOST_FIXTURE_TEST_CASE(ehlo_offers_auth_only_with_require_auth_or_tls, SessionFixture)
{
	std::string transcript;
	dialogue("EHLO c\r\nQUIT\r\n", &transcript);
	BOOST_CHECK(transcript.find("AUTH") == std::string::npos);
	BOOST_CHECK(transcript.find("\r\n250 HELP\r\n") != std::string::npos);
	server.submission.requireAuth = true;
	dialogue("EHLO c\r\nQUIT\r\n", &transcript);
	BOOST_CHECK(transcript.find("\r\n250 AUTH PLAIN LOGIN\r\n") != std::string::npos);
	BOOST_CHECK(transcript.find("STARTTLS") == std::string::npos); // no tls: configured
}


BOOST_FIXTURE_TEST_CASE(auth_exchanges, SessionFixture)
{
	server.submission.requireAuth = true; // enables AUTH; these rows send no local MAIL FROM
	const std::vector<DialogueRow> rows = {
		{"auth plain initial response", "EHLO c\r\nAUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nQUIT\r\n", "220 250 235 221 "},
		{"auth plain after 334", "EHLO c\r\nAUTH plain\r\nAHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nQUIT\r\n", "220 250 334 235 221 "},
		{"auth login", "EHLO c\r\nAUTH LOGIN\r\ndXNyMUBsb2NhbC5leGFtcGxl\r\ncDE=\r\nQUIT\r\n", "220 250 334 334 235 221 "},
		{"auth login initial user", "EHLO c\r\nAUTH LOGIN dXNyMUBsb2NhbC5leGFtcGxl\r\ncDE=\r\nQUIT\r\n", "220 250 334 235 221 "},
		{"auth wrong password", "EHLO c\r\nAUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMg==\r\nQUIT\r\n", "220 250 535 221 "},
		{"auth as someone else refused", "EHLO c\r\nAUTH PLAIN VXNyMkBsb2NhbC5leGFtcGxlAHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nQUIT\r\n", "220 250 535 221 "},
		{"auth cancelled", "EHLO c\r\nAUTH PLAIN\r\n*\r\nQUIT\r\n", "220 250 334 501 221 "},
		{"auth undecodable", "EHLO c\r\nAUTH PLAIN !!!\r\nQUIT\r\n", "220 250 501 221 "},
		{"auth twice", "EHLO c\r\nAUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nAUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nQUIT\r\n", "220 250 235 503 221 "},
		{"auth before helo", "AUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nQUIT\r\n", "220 503 221 "},
		{"auth unknown mechanism", "EHLO c\r\nAUTH CRAM-MD5\r\nAUTH\r\nQUIT\r\n", "220 250 504 501 221 "},
		{"auth inside a transaction", "EHLO c\r\nMAIL FROM:<a@x.org>\r\nAUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\nQUIT\r\n", "220 250 250 503 221 "},
	};
	expectCodes(rows);
}


BOOST_FIXTURE_TEST_CASE(relay_domains_take_mail_from_anyone_and_only_for_themselves, SessionFixture)
{
	// A backup MX for backup.example: a foreign sender may send there (and only there).
	const std::string foreign = "EHLO c\r\nMAIL FROM:<a@x.org>\r\n";
	BOOST_CHECK_EQUAL(dialogue(foreign + "RCPT TO:<b@backup.example>\r\nQUIT\r\n"), "220 250 250 550 221 ");
	server.relayDomains = {"backup.example"};
	BOOST_CHECK_EQUAL(dialogue(foreign + "RCPT TO:<b@BACKUP.example>\r\nRCPT TO:<b@y.org>\r\nQUIT\r\n"), "220 250 250 250 550 221 ");
	BOOST_CHECK_EQUAL(dialogue(foreign + "RCPT TO:<b@sub.backup.example>\r\nQUIT\r\n"), "220 250 250 550 221 ");
}


BOOST_FIXTURE_TEST_CASE(require_auth_binds_local_senders_to_their_login, SessionFixture)
{
	server.submission.requireAuth = true;
	const std::string mailFrom = "MAIL FROM:<usr1@local.example>\r\n";
	BOOST_CHECK_EQUAL(dialogue("EHLO c\r\n" + mailFrom + "QUIT\r\n"), "220 250 530 221 ");
	BOOST_CHECK_EQUAL(dialogue("EHLO c\r\nAUTH PLAIN AHVzcjFAbG9jYWwuZXhhbXBsZQBwMQ==\r\n" + mailFrom + "QUIT\r\n"), "220 250 235 250 221 ");
	const std::string asUsr2 = "AUTH PLAIN AFVzcjJAbG9jYWwuZXhhbXBsZQBwMg==\r\n";
	BOOST_CHECK_EQUAL(dialogue("EHLO c\r\n" + asUsr2 + mailFrom + "QUIT\r\n"), "220 250 235 553 221 ");
	// Foreign senders (mail arriving for our users) need no login.
	BOOST_CHECK_EQUAL(dialogue("EHLO c\r\nMAIL FROM:<a@x.org>\r\nQUIT\r\n"), "220 250 250 221 ");
}


BOOST_FIXTURE_TEST_CASE(local_submission_is_cleaned_up_and_relayed_mail_is_not, SessionFixture)
{
	// A local sender: Bcc: (with its folded line) goes, Date: and Message-ID: are added.
	BOOST_TEST(dialogue("EHLO c\r\nMAIL FROM:<usr1@local.example>\r\nRCPT TO:<usr2@local.example>\r\nDATA\r\n"
						"Subject: s\r\nBcc: hidden@y.org,\r\n\tother@y.org\r\nTo: usr2@local.example\r\n\r\n"
						"Bcc: in the body stays\r\n.\r\nQUIT\r\n")
		== "220 250 250 250 354 250 221 ");
	const std::string stored = first("Usr2@local.example");
	BOOST_TEST(stored.find("hidden@y.org") == std::string::npos, stored);
	BOOST_TEST(stored.find("other@y.org") == std::string::npos, stored);
	BOOST_TEST(stored.find("To: usr2@local.example\nDate: ") != std::string::npos, stored);
	BOOST_TEST(stored.find("\nMessage-ID: <") != std::string::npos, stored);
	BOOST_TEST(stored.find("@srv.example>\n\nBcc: in the body stays\n") != std::string::npos, stored);
	// A foreign sender: the header stays as sent.
	BOOST_TEST(dialogue("EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<usr1@local.example>\r\nDATA\r\n"
						"Subject: s\r\nBcc: hidden@y.org\r\n\r\nb\r\n.\r\nQUIT\r\n")
		== "220 250 250 250 354 250 221 ");
	const std::string relayed = first("usr1@local.example");
	BOOST_TEST(relayed.find("Subject: s\nBcc: hidden@y.org\n\nb\n") != std::string::npos, relayed);
	BOOST_TEST(relayed.find("Date:") == std::string::npos, relayed);
	BOOST_TEST(relayed.find("Message-ID:") == std::string::npos, relayed);
	// The spool file of each message is gone once it is delivered (what is left are the
	// empty files made ahead for the next messages).
	BOOST_TEST(spooledMessages(context.mailDir() + "/.spool") == 0u);
}


BOOST_FIXTURE_TEST_CASE(the_250_comes_with_the_message_in_new_and_the_spool_is_emptied_after_it, SessionFixture)
{
	// The reply after the dot goes out before the session removes the spool name: the
	// message must be in new/ when the client reads it, the spool empty once the session ends.
	SocketPair pair;
	std::thread serverThread([&] { mail::SmtpSession(context, delivery, pair.server, "test").run(); });
	pair.client.setReceiveTimeout(Poco::Timespan(10, 0));
	std::string received;
	const auto until = [&](const std::string& text) {
		char buffer[4096];
		while (received.find(text) == std::string::npos)
		{
			const int n = pair.client.receiveBytes(buffer, sizeof buffer);
			if (n <= 0) return false;
			received.append(buffer, static_cast<std::size_t>(n));
		}
		return true;
	};
	const std::string message = "MAIL FROM:<a@x.org>\r\nRCPT TO:<usr1@local.example>\r\nDATA\r\nSubject: t\r\n\r\nhi\r\n.\r\n";
	const std::string opening = "EHLO c\r\n" + message;
	pair.client.sendBytes(opening.data(), static_cast<int>(opening.size()));
	BOOST_REQUIRE(until("250 2.0.0 Ok: queued as "));
	BOOST_TEST(count("usr1@local.example") == 1u);
	received.clear();
	pair.client.sendBytes(message.data(), static_cast<int>(message.size()));
	BOOST_REQUIRE(until("250 2.0.0 Ok: queued as "));
	BOOST_TEST(count("usr1@local.example") == 2u);
	pair.client.sendBytes("QUIT\r\n", 6);
	BOOST_REQUIRE(until("221 "));
	serverThread.join();
	BOOST_TEST(spooledMessages(context.mailDir() + "/.spool") == 0u);
	// The next message's spool file was made after the 250, ahead of its DATA: empty.
	std::vector<std::string> left;
	Poco::File(context.mailDir() + "/.spool").list(left);
	BOOST_TEST(!left.empty());
}


BOOST_FIXTURE_TEST_CASE(received_has_semicolon_before_the_date_with_several_recipients, SessionFixture)
{
	BOOST_TEST(dialogue("EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<usr1@local.example>\r\n"
						"RCPT TO:<usr2@local.example>\r\nDATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n")
		== "220 250 250 250 250 354 250 221 ");
	const std::string stored = first("usr1@local.example");
	const std::string received = stored.substr(0, stored.find("Subject:"));
	BOOST_TEST(received.find(";\n\t") != std::string::npos, received); // RFC 5321 4.4: "; date"
}


BOOST_FIXTURE_TEST_CASE(delivers_locally_matching_accounts_case_insensitively, SessionFixture)
{
	const std::string codes = dialogue(
		"EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<usr2@local.example>\r\n"
		"RCPT TO:<USR1@Local.Example>\r\nDATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n");
	BOOST_TEST(codes == "220 250 250 250 250 354 250 221 ");
	BOOST_TEST(count("Usr2@local.example") == 1u); // the account key as written
	BOOST_TEST(count("usr1@local.example") == 1u);
	const std::string stored = first("usr1@local.example");
	BOOST_TEST(stored.find("Return-Path: <a@x.org>\nReceived: from c ([127.0.0.1])\n") == 0u);
	BOOST_TEST(stored.find("Subject: t\n\nhi\n") != std::string::npos);
}


BOOST_FIXTURE_TEST_CASE(queue_failure_answers_451_never_250, SessionFixture)
{
	std::string transcript;
	const std::string codes = dialogue(
		"EHLO c\r\nMAIL FROM:<usr1@local.example>\r\nRCPT TO:<far@remote.example>\r\n"
		"DATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n",
		&transcript);
	// The spool of mail for remote recipients only is its queue entry: a queue that cannot
	// be written refuses DATA itself (the pipelined message lines are then bad commands).
	BOOST_TEST(codes == "220 250 250 250 451 500 500 500 500 221 ");
	BOOST_TEST(transcript.find("451 4.3.0 ") != std::string::npos);
}


BOOST_FIXTURE_TEST_CASE(shutdown_answers_421, SessionFixture)
{
	context.stopping = true;
	std::string transcript;
	BOOST_TEST(dialogue("NOOP\r\n", &transcript) == "220 421 ");
	BOOST_TEST(transcript.find("421 4.3.2 srv.example Service shutting down") != std::string::npos);
}


BOOST_AUTO_TEST_SUITE_END()
