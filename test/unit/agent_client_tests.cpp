// agent_client_tests.cpp - the agent's SMTP submission and POP3 commands against a
// scripted fake server on a loopback socket (the real servers are in the bats tests).
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "agent/pop_commands.h"
#include "agent/smtp_submit.h"

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


} // namespace


BOOST_AUTO_TEST_SUITE(agent_client_tests)


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
