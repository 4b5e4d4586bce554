// agent_client_tests.cpp - the agent's SMTP submission, POP3 and IMAP commands against a
// scripted fake server on a loopback socket (the real servers are in the bats tests).
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "agent/imap_commands.h"
#include "agent/imap_response.h"
#include "agent/pop_commands.h"
#include "agent/smtp_submit.h"
#include "common/base/base64.h"

#include <Poco/Net/DialogSocket.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <functional>
#include <sstream>
#include <thread>


using namespace mail;
using Poco::Net::MailMessage;


namespace {


class FakeServer
/// Accepts one connection, sends greeting, then answers each line with reply(line)
/// (an empty answer sends nothing) until the client closes or "QUIT" was answered.
{
public:
	using Reply = std::function<std::string(const std::string& line)>;

	FakeServer(const std::string& greeting, const Reply& reply):
		_socket(Poco::Net::SocketAddress("127.0.0.1", 0)),
		_thread([this, greeting, reply] { serve(greeting, reply); })
	{
	}

	~FakeServer() { _thread.join(); }

	Endpoint endpoint() const { return Endpoint{"fake", "127.0.0.1", _socket.address().port()}; }
	const std::vector<std::string>& lines() const { return _lines; } ///< after the client is done

private:
	void serve(const std::string& greeting, const Reply& reply)
	{
		Poco::Net::DialogSocket peer(_socket.acceptConnection());
		peer.setReceiveTimeout(Poco::Timespan(5, 0));
		peer.sendMessage(greeting);
		std::string line;
		while (line.clear(), peer.receiveMessage(line))
		{
			_lines.push_back(line);
			std::string answer = reply(line);
			if (!answer.empty()) peer.sendString(answer);
			if (line == "QUIT" || line == "quit") break;
		}
	}

	Poco::Net::ServerSocket _socket;
	std::vector<std::string> _lines;
	std::thread _thread;
};


/// A POP3 server holding two messages; the second has a line starting with a dot.
std::string popReply(const std::string& line)
{
	if (line.rfind("USER", 0) == 0) return "+OK\r\n";
	if (line == "PASS right") return "+OK logged in\r\n";
	if (line.rfind("PASS", 0) == 0) return "-ERR [AUTH] invalid user or password\r\n";
	if (line == "STAT") return "+OK 2 300\r\n";
	if (line == "LIST") return "+OK 2 messages\r\n1 120\r\n2 180\r\n.\r\n";
	if (line == "LIST 2") return "+OK 2 180\r\n";
	if (line == "UIDL") return "+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n";
	if (line == "RETR 2" || line == "TOP 2 1")
		return "+OK\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\nContent-Transfer-Encoding: quoted-printable\r\n"
			   "Content-Type: text/plain; charset=UTF-8\r\n\r\ncaf=C3=A9\r\n..dot line\r\n.\r\n";
	if (line == "DELE 1") return "+OK message 1 deleted\r\n";
	if (line == "QUIT") return "+OK bye\r\n";
	return "-ERR no such message\r\n";
}


std::string runPop(Pop3Client& client, const std::string& command, PopOutcome expected)
{
	std::ostringstream out;
	PopOutcome outcome = runPopCommand(client, splitWords(command), out);
	BOOST_CHECK_MESSAGE(outcome == expected, command << ": outcome " << int(outcome));
	return out.str();
}


/// An IMAP server holding UIDs 4 and 5 of INBOX; "a3 CMD" lines are answered by CMD.
std::string imapReply(const std::string& line)
{
	static const std::string message = "Subject: =?UTF-8?B?5L2g5aW9?=\r\n\r\nline {3}\r\n)\r\n";
	const std::size_t space = line.find(' ');
	if (space == std::string::npos) // the AUTHENTICATE response
		return line == encodeBase64(std::string("\0usr\0right", 10)) ? "a1 OK logged in\r\n" : "a1 NO [AUTHENTICATIONFAILED] no\r\n";
	const std::string tag = line.substr(0, space), command = line.substr(space + 1);
	if (command == "AUTHENTICATE PLAIN") return "+ \r\n";
	if (command == "SELECT INBOX")
		return "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n" + tag + " OK [READ-WRITE] SELECT completed\r\n";
	if (command == "UID FETCH 1:* (UID FLAGS RFC822.SIZE)")
		return "* 1 FETCH (UID 4 FLAGS (\\Seen) RFC822.SIZE 100)\r\n* 2 FETCH (UID 5 FLAGS () RFC822.SIZE 23)\r\n" + tag
			+ " OK done\r\n";
	if (command == "UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])")
		return "* 1 FETCH (UID 4 FLAGS (\\Seen \\Flagged) RFC822.SIZE 100 BODY[HEADER.FIELDS (FROM SUBJECT)] {38}\r\n"
			   "From: a@b.c\r\nSubject: \"quoted\" (x)\r\n\r\n)\r\n"
			   "* 2 FETCH (UID 5 FLAGS () RFC822.SIZE 23 BODY[HEADER.FIELDS (FROM SUBJECT)] \"\")\r\n"
			+ tag + " OK done\r\n";
	if (command == "UID FETCH 5 (UID BODY[])")
		return "* 2 FETCH (UID 5 BODY[] {" + std::to_string(message.size()) + "}\r\n" + message + " FLAGS (\\Seen))\r\n" + tag
			+ " OK done\r\n";
	if (command == "UID STORE 5 +FLAGS (\\Seen \\Deleted)")
		return "* 1 FETCH (FLAGS (\\Seen) UID 4)\r\n* 2 FETCH (FLAGS (\\Seen \\Deleted) UID 5)\r\n" + tag + " OK done\r\n";
	if (command == "EXPUNGE") return "* 2 EXPUNGE\r\n" + tag + " OK EXPUNGE completed\r\n";
	if (command == "LOGOUT") return "* BYE bye\r\n" + tag + " OK LOGOUT completed\r\n";
	if (command.rfind("UID FETCH", 0) == 0 || command.rfind("UID STORE", 0) == 0) return tag + " OK nothing\r\n";
	return tag + " BAD unknown\r\n";
}


std::string runImap(ImapClient& client, const std::string& command, ImapOutcome expected)
{
	std::ostringstream out;
	ImapOutcome outcome = runImapCommand(client, splitWords(command), out);
	BOOST_CHECK_MESSAGE(outcome == expected, command << ": outcome " << int(outcome));
	return out.str();
}


} // namespace


BOOST_AUTO_TEST_SUITE(agent_client_tests)


BOOST_AUTO_TEST_CASE(imap_commands_print_what_a_user_reads)
{
	FakeServer server("* OK fake IMAP", imapReply);
	{
		ImapClient client(server.endpoint(), Poco::Timespan(5, 0), ImapTls::None);
		client.login("usr", "right");
		BOOST_TEST(selectInbox(client) == "INBOX: 2 messages");
		BOOST_TEST(runImap(client, "stat", ImapOutcome::Ok) == "2 messages (123 bytes), 1 unseen\n");
		BOOST_TEST(runImap(client, "LIST", ImapOutcome::Ok)
			== "4 100 (\\Seen \\Flagged) From: a@b.c Subject: \"quoted\" (x)\n5 23 () From:  Subject: \n");
		const std::string read = runImap(client, "read 005", ImapOutcome::Ok);
		BOOST_TEST(read.find("Subject: 你好\n\nline {3}\n)\n") == 0u, read);
		BOOST_TEST(runImap(client, "read 9", ImapOutcome::Failed) == "no message with UID 9\n");
		BOOST_TEST(runImap(client, "read x", ImapOutcome::Failed) == "usage: read UID\n");
		BOOST_TEST(runImap(client, "flag 5 Seen \\deleted", ImapOutcome::Ok) == "5 (\\Seen \\Deleted)\n");
		BOOST_TEST(runImap(client, "flag 5 junk", ImapOutcome::Failed).find("unknown flag junk") == 0u);
		BOOST_TEST(runImap(client, "unflag 9 seen", ImapOutcome::Failed) == "no message with UID 9\n");
		BOOST_TEST(runImap(client, "expunge", ImapOutcome::Ok) == "1 message expunged\n");
		BOOST_TEST(runImap(client, "frob", ImapOutcome::Failed).find("unknown command frob") == 0u);
		BOOST_TEST(runImap(client, "quit", ImapOutcome::Quit) == "OK LOGOUT completed\n");
	}
	// the bad commands never reached the server
	std::vector<std::string> expected = {"a1 AUTHENTICATE PLAIN", encodeBase64(std::string("\0usr\0right", 10)),
		"a2 SELECT INBOX", "a3 UID FETCH 1:* (UID FLAGS RFC822.SIZE)",
		"a4 UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])", "a5 UID FETCH 5 (UID BODY[])",
		"a6 UID FETCH 9 (UID BODY[])", "a7 UID STORE 5 +FLAGS (\\Seen \\Deleted)", "a8 UID STORE 9 -FLAGS (\\Seen)",
		"a9 EXPUNGE", "a10 LOGOUT"};
	BOOST_TEST(server.lines() == expected, boost::test_tools::per_element());
}


BOOST_AUTO_TEST_CASE(imap_wrong_password_is_reported_plainly)
{
	FakeServer server("* OK fake IMAP", imapReply);
	ImapClient client(server.endpoint(), Poco::Timespan(5, 0), ImapTls::None);
	try
	{
		client.login("usr", "wrong");
		BOOST_FAIL("login should fail");
	}
	catch (const ImapError& e)
	{
		BOOST_TEST(std::string(e.what()).find("wrong user or password") != std::string::npos, e.what());
		BOOST_TEST(std::string(e.what()).find("NO [AUTHENTICATIONFAILED]") != std::string::npos, e.what());
	}
	client.close();
}


BOOST_AUTO_TEST_CASE(imap_values_parse_as_rfc9051_writes_them)
{
	FetchData fetch;
	BOOST_REQUIRE(parseFetch("12 FETCH (UID 7 FLAGS (\\Seen $Junk) BODY[HEADER.FIELDS (SUBJECT)]<0> {5}\r\nab\"c) X \"q\\\"\" Y NIL)", fetch));
	BOOST_TEST(fetch.sequence == 12u);
	BOOST_TEST(fetch.text("UID") == "7");
	BOOST_TEST(fetch.find("FLAGS")->items.size() == 2u);
	BOOST_TEST(fetch.text("BODY[HEADER.FIELDS (SUBJECT)]<0>") == "ab\"c)");
	BOOST_TEST(fetch.text("X") == "q\"");
	BOOST_TEST(int(fetch.find("Y")->kind) == int(ImapItem::Kind::Nil));
	FetchData bad;
	BOOST_TEST(!parseFetch("1 FETCH (UID {9}\r\nshort)", bad));
	BOOST_TEST(!parseFetch("1 FETCH (UID 3", bad));
	BOOST_TEST(!parseFetch("3 EXISTS", bad));
	unsigned long n = 0;
	BOOST_TEST((parseCount("3 EXISTS", "EXISTS", n) && n == 3u));
	BOOST_TEST(!parseCount("3 EXPUNGE", "EXISTS", n));
	std::string deep(100, '(');
	std::vector<ImapItem> items;
	BOOST_TEST(!parseItems(deep + std::string(100, ')'), items)); // nesting is bounded
}


BOOST_AUTO_TEST_CASE(pop_commands_print_what_a_user_reads)
{
	FakeServer server("+OK fake POP3", popReply);
	{
		Pop3Client client(server.endpoint(), Poco::Timespan(5, 0));
		client.login("usr1@mail.sustech.edu.cn", "right");
		BOOST_TEST(runPop(client, "stat", PopOutcome::Ok) == "2 messages (300 bytes)\n");
		BOOST_TEST(runPop(client, "LIST", PopOutcome::Ok) == "1 120\n2 180\n");
		BOOST_TEST(runPop(client, "list 2", PopOutcome::Ok) == "2 180\n");
		BOOST_TEST(runPop(client, "uidl", PopOutcome::Ok) == "1 aaa\n2 bbb\n");
		std::string retr = runPop(client, "retr 2", PopOutcome::Ok);
		BOOST_TEST(retr.find("Subject: 你好\n") != std::string::npos, retr);
		BOOST_TEST(retr.find("\ncafé\n.dot line\n") != std::string::npos, retr);
		BOOST_TEST(runPop(client, "retr 9", PopOutcome::Failed) == "-ERR no such message\n");
		BOOST_TEST(runPop(client, "retr", PopOutcome::Failed) == "usage: retr N\n");
		BOOST_TEST(runPop(client, "retr x", PopOutcome::Failed) == "usage: retr N\n");
		BOOST_TEST(runPop(client, "top 2 1", PopOutcome::Ok).find("café") != std::string::npos);
		BOOST_TEST(runPop(client, "frob", PopOutcome::Failed).find("unknown command frob") == 0u);
		BOOST_TEST(runPop(client, "dele 1", PopOutcome::Ok) == "+OK message 1 deleted\n");
		BOOST_TEST(runPop(client, "quit", PopOutcome::Quit) == "+OK bye\n");
	}
	// the bad commands never reached the server
	std::vector<std::string> expected = {"USER usr1@mail.sustech.edu.cn", "PASS right", "STAT", "LIST", "LIST 2",
		"UIDL", "RETR 2", "RETR 9", "TOP 2 1", "DELE 1", "QUIT"};
	BOOST_TEST(server.lines() == expected, boost::test_tools::per_element());
}


BOOST_AUTO_TEST_CASE(wrong_password_is_reported_plainly)
{
	FakeServer server("+OK fake POP3", popReply);
	Pop3Client client(server.endpoint(), Poco::Timespan(5, 0));
	try
	{
		client.login("usr1@mail.sustech.edu.cn", "wrong");
		BOOST_FAIL("login should fail");
	}
	catch (const Pop3Error& e)
	{
		BOOST_TEST(std::string(e.what()).find("wrong user or password") != std::string::npos, e.what());
		BOOST_TEST(std::string(e.what()).find("-ERR [AUTH]") != std::string::npos, e.what());
	}
	client.close();
}


BOOST_AUTO_TEST_CASE(composed_message_has_the_required_headers)
{
	MailMessage message;
	composeMessage(message, "usr1@mail.sustech.edu.cn", {"usr2@mail.sustech.edu.cn", " usr@gmail.com "},
		"你好 subject", "héllo wörld\nline 2");
	std::ostringstream out;
	message.write(out);
	std::string text = out.str();
	for (const char* header: {"From: usr1@mail.sustech.edu.cn\r\n", "To: <usr2@mail.sustech.edu.cn>, <usr@gmail.com>\r\n",
			 "Date: ", "Message-ID: <", "@mail.sustech.edu.cn>\r\n", "Content-Type: text/plain; charset=UTF-8\r\n",
			 "Content-Transfer-Encoding: quoted-printable\r\n", "Subject: =?UTF-8?", "MIME-Version: 1.0\r\n"})
		BOOST_TEST(text.find(header) != std::string::npos, header << " in\n"
																  << text);
	BOOST_TEST(text.find("你好") == std::string::npos); // encoded, not raw
	const std::string date = text.substr(text.find("Date: "));
	BOOST_TEST(date.substr(0, date.find("\r\n")).find(" +0000") != std::string::npos, date); // not "GMT"
	BOOST_TEST(text.find("GMT") == std::string::npos, text);
	BOOST_TEST(text.find("h=C3=A9llo w=C3=B6rld\r\nline 2") != std::string::npos, text);
	MailMessage ascii;
	composeMessage(ascii, "a@b.c", {"d@e.f"}, "plain", "x");
	BOOST_TEST(ascii.getSubject() == "plain");
}


BOOST_AUTO_TEST_CASE(submission_sends_envelope_and_reports_refusals)
{
	struct Row
	{
		const char* name;
		const char* rcptReply;
		bool ok;
	};
	const Row rows[] = {
		{"accepted", "250 2.1.5 Ok\r\n", true},
		{"refused", "550 5.1.1 <nobody@mail.sustech.edu.cn>: Recipient address rejected\r\n", false},
	};
	for (const auto& row: rows)
	{
		bool inData = false;
		std::string error;
		std::vector<std::string> envelope;
		{
			FakeServer server("220 fake ESMTP", [&](const std::string& line) -> std::string {
				if (inData)
				{
					if (line == ".")
					{
						inData = false;
						return "250 2.0.0 Ok: queued\r\n";
					}
					return "";
				}
				if (line.rfind("EHLO", 0) == 0) return "250-fake\r\n250 8BITMIME\r\n";
				if (line.rfind("MAIL FROM:", 0) == 0 || line.rfind("RCPT TO:", 0) == 0) envelope.push_back(line);
				if (line.rfind("MAIL FROM:", 0) == 0) return "250 2.1.0 Ok\r\n";
				if (line.rfind("RCPT TO:", 0) == 0) return row.rcptReply;
				if (line == "DATA")
				{
					inData = true;
					return "354 go ahead\r\n";
				}
				if (line == "QUIT") return "221 bye\r\n";
				return "500 what\r\n";
			});
			MailMessage message;
			composeMessage(message, "usr1@mail.sustech.edu.cn", {"nobody@mail.sustech.edu.cn"}, "s", "body");
			error = submitMessage(server.endpoint(), message, Poco::Timespan(5, 0));
		}
		BOOST_TEST_INFO(row.name);
		BOOST_TEST(error.empty() == row.ok, error);
		if (!row.ok) BOOST_TEST(error.find("550 5.1.1") != std::string::npos, error);
		// RFC 5321 4.1.1.2/4.1.1.3: no space after the colon (Poco's own sendMessage puts one).
		BOOST_REQUIRE(envelope.size() == 2u);
		BOOST_TEST(envelope[0] == "MAIL FROM:<usr1@mail.sustech.edu.cn>");
		BOOST_TEST(envelope[1] == "RCPT TO:<nobody@mail.sustech.edu.cn>");
	}
}


BOOST_AUTO_TEST_SUITE_END()
