// pop3_session_tests.cpp - the POP3 session state machine over a loopback socket.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "common/base/line_reader.h"
#include "server/pop3/pop3_session.h"
#include "server/server_context.h"

#include <Poco/File.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

using mail::Pop3State;


namespace {


const char* const kUser = "u1@example.com";
const char* const kMessages[] = {
	"Subject: one\r\n\r\nfirst body\r\n",
	"Subject: two\r\n\r\n.starts with a dot\r\nsecond\r\n",
	"Subject: three\r\nX: y\r\n\r\nl1\r\nl2\r\nl3\r\n",
};


struct Pop3Fixture
/// A data dir with two accounts, three messages for kUser, and helpers to run a
/// session on one end of a loopback socket pair while the test talks on the other.
{
	mail::test::TempDir data;
	mail::Config config;
	mail::ServerConfig server;
	std::unique_ptr<mail::ServerContext> context;

	Pop3Fixture()
	{
		server.name = "test.example";
		server.addAccount("u1@example.com", "p1");
		server.addAccount("u2@example.com", "pass two");
		server.limits.hardErrors = 1000;
		context.reset(new mail::ServerContext(config, server, data.path()));
		for (std::size_t i = 0; i < 3; ++i) deliver(kUser, kMessages[i], i);
	}

	std::string mailbox(const std::string& user) const { return context->mailDir() + "/" + user; }

	void deliver(const std::string& user, const std::string& content, std::size_t i)
	{
		for (const char* sub: {"/tmp", "/new", "/cur"}) Poco::File(mailbox(user) + sub).createDirectories();
		const std::string name = "170000000" + std::to_string(i) + ".M1P1Q" + std::to_string(i) + ".test.example,S="
			+ std::to_string(content.size());
		data.write("mail/" + user + "/new/" + name, content);
	}

	std::size_t files(const std::string& user) const
	{
		std::vector<std::string> names;
		for (const char* sub: {"/new", "/cur"})
		{
			std::vector<std::string> part;
			Poco::File(mailbox(user) + sub).list(part);
			names.insert(names.end(), part.begin(), part.end());
		}
		return names.size();
	}
};


class Client
/// The test's end: sends lines, reads replies, runs the session on a thread.
{
public:
	explicit Client(const mail::ServerContext& context):
		_reader(_pair.client),
		_thread([this, &context] { mail::Pop3Session(context, _pair.server, "t").run(); _pair.server.close(); })
	{
		_greeting = line();
	}

	~Client()
	{
		try
		{
			_pair.client.shutdown();
		}
		catch (const Poco::Exception&)
		{
			// already closed by the server
		}
		_thread.join();
	}

	const std::string& greeting() const { return _greeting; }

	std::string line()
	{
		std::string text;
		const mail::ReadStatus status = _reader.readLine(text, 100000, Poco::Timespan(10, 0));
		return status == mail::ReadStatus::Ok ? text : std::string("<") + mail::toString(status) + ">";
	}

	std::string multiline()
	/// Lines up to the terminating ".", un-stuffed, joined with CRLF.
	{
		std::string out;
		for (std::string text = line(); text != "."; text = line())
		{
			if (text.size() > 1 && text[0] == '<') return out + text;
			out += (text.compare(0, 1, ".") == 0 ? text.substr(1) : text) + "\r\n";
		}
		return out;
	}

	void send(const std::string& text) { _pair.client.sendBytes(text.data(), static_cast<int>(text.size())); }
	std::string command(const std::string& text)
	{
		send(text + "\r\n");
		return line();
	}
	void login(const std::string& user = kUser, const std::string& pass = "p1")
	{
		BOOST_REQUIRE(command("USER " + user).rfind("+OK", 0) == 0);
		BOOST_REQUIRE(command("PASS " + pass).rfind("+OK", 0) == 0);
	}
	bool closed() { return line() == "<closed>"; }
	Poco::Net::StreamSocket& serverSocket() { return _pair.server; }

private:
	mail::test::SocketPair _pair;
	mail::LineReader _reader;
	std::thread _thread;
	std::string _greeting;
};


bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }


struct StateRow
{
	Pop3State state;
	const char* command;
	const char* reply; ///< expected start of the first reply line
	bool multiline;    ///< a multi-line body follows a +OK
	Pop3State after;
};


// Every state x every verb (plus an unknown one): reply and the state it leaves.
// UPDATE has no verbs of its own: it is entered only by QUIT from TRANSACTION and then closes.
const StateRow kStateTable[] = {
	{Pop3State::Authorization, "USER u1@example.com", "+OK", false, Pop3State::Authorization},
	{Pop3State::Authorization, "PASS p1", "-ERR USER first", false, Pop3State::Authorization},
	{Pop3State::Authorization, "APOP u1@example.com 0123456789abcdef0123456789abcdef", "-ERR", false, Pop3State::Authorization},
	{Pop3State::Authorization, "AUTH PLAIN AHUxQGV4YW1wbGUuY29tAHAx", "+OK maildrop has 3", false, Pop3State::Transaction},
	{Pop3State::Authorization, "AUTH PLAIN AHUxQGV4YW1wbGUuY29tAHAy", "-ERR [AUTH]", false, Pop3State::Authorization},
	{Pop3State::Authorization, "AUTH PLAIN dTJAZXhhbXBsZS5jb20AdTFAZXhhbXBsZS5jb20AcDE=", "-ERR [AUTH]", false, Pop3State::Authorization}, // no proxy login
	{Pop3State::Authorization, "AUTH PLAIN not-base64", "-ERR cannot decode", false, Pop3State::Authorization},
	{Pop3State::Authorization, "AUTH CRAM-MD5", "-ERR unsupported", false, Pop3State::Authorization},
	{Pop3State::Authorization, "AUTH", "+OK", true, Pop3State::Authorization},
	{Pop3State::Authorization, "STLS", "-ERR STLS not supported", false, Pop3State::Authorization}, // no tls: section
	{Pop3State::Authorization, "CAPA", "+OK", true, Pop3State::Authorization},
	{Pop3State::Authorization, "QUIT", "+OK", false, Pop3State::Closed},
	{Pop3State::Authorization, "STAT", "-ERR STAT not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "LIST", "-ERR LIST not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "RETR 1", "-ERR RETR not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "DELE 1", "-ERR DELE not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "NOOP", "-ERR NOOP not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "RSET", "-ERR RSET not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "TOP 1 0", "-ERR TOP not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "UIDL", "-ERR UIDL not allowed", false, Pop3State::Authorization},
	{Pop3State::Authorization, "XYZZY", "-ERR unknown command", false, Pop3State::Authorization},
	{Pop3State::Transaction, "USER u1@example.com", "-ERR USER not allowed", false, Pop3State::Transaction},
	{Pop3State::Transaction, "PASS p1", "-ERR PASS not allowed", false, Pop3State::Transaction},
	{Pop3State::Transaction, "APOP u1@example.com 0123", "-ERR APOP not allowed", false, Pop3State::Transaction},
	{Pop3State::Transaction, "AUTH PLAIN", "-ERR AUTH not allowed", false, Pop3State::Transaction},
	{Pop3State::Transaction, "STLS", "-ERR STLS not allowed", false, Pop3State::Transaction},
	{Pop3State::Transaction, "CAPA", "+OK", true, Pop3State::Transaction},
	{Pop3State::Transaction, "QUIT", "+OK", false, Pop3State::Closed},
	{Pop3State::Transaction, "STAT", "+OK 3 ", false, Pop3State::Transaction},
	{Pop3State::Transaction, "LIST", "+OK 3 messages", true, Pop3State::Transaction},
	{Pop3State::Transaction, "RETR 1", "+OK", true, Pop3State::Transaction},
	{Pop3State::Transaction, "DELE 1", "+OK", false, Pop3State::Transaction},
	{Pop3State::Transaction, "NOOP", "+OK", false, Pop3State::Transaction},
	{Pop3State::Transaction, "RSET", "+OK", false, Pop3State::Transaction},
	{Pop3State::Transaction, "TOP 1 0", "+OK", true, Pop3State::Transaction},
	{Pop3State::Transaction, "UIDL", "+OK", true, Pop3State::Transaction},
	{Pop3State::Transaction, "XYZZY", "-ERR unknown command", false, Pop3State::Transaction},
};


} // namespace


BOOST_AUTO_TEST_SUITE(pop3_session_tests)


BOOST_FIXTURE_TEST_CASE(every_state_and_verb, Pop3Fixture)
{
	for (const StateRow& row: kStateTable)
	{
		const std::string name = std::string(mail::toString(row.state)) + " " + row.command;
		Client client(*context);
		if (row.state == Pop3State::Transaction) client.login();
		const std::string reply = client.command(row.command);
		BOOST_CHECK_MESSAGE(startsWith(reply, row.reply), name << ": got \"" << reply << "\"");
		if (row.multiline && startsWith(reply, "+OK")) client.multiline();
		// Probe the state the session is in now.
		if (row.after == Pop3State::Closed)
		{
			BOOST_CHECK_MESSAGE(client.closed(), name << ": connection not closed");
			continue;
		}
		const std::string probe = client.command("STAT");
		const bool inTransaction = startsWith(probe, "+OK");
		BOOST_CHECK_MESSAGE(inTransaction == (row.after == Pop3State::Transaction), name << ": probe \"" << probe << "\"");
		BOOST_CHECK_MESSAGE(startsWith(client.command("QUIT"), "+OK"), name << ": QUIT");
		BOOST_CHECK_MESSAGE(client.closed(), name << ": not closed after QUIT");
	}
	BOOST_TEST(files(kUser) == 2u); // the DELE row's session ended with QUIT
}


BOOST_FIXTURE_TEST_CASE(greeting_capa_and_login, Pop3Fixture)
{
	Client client(*context);
	BOOST_TEST(client.greeting() == "+OK test.example POP3 server ready");
	BOOST_TEST(client.command("capa") == "+OK capability list follows");
	BOOST_TEST(client.multiline() == "USER\r\nSASL PLAIN\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION mail-server\r\n");
	BOOST_TEST(client.command("user u1@EXAMPLE.com") == "+OK send PASS"); // domain case-insensitive
	BOOST_TEST(startsWith(client.command("pass p1"), "+OK maildrop has 3 messages ("));
	const std::size_t total = std::string(kMessages[0]).size() + std::string(kMessages[1]).size() + std::string(kMessages[2]).size();
	BOOST_TEST(client.command("STAT") == "+OK 3 " + std::to_string(total));
}


BOOST_FIXTURE_TEST_CASE(list_retr_top_uidl_content, Pop3Fixture)
{
	Client client(*context);
	client.login();
	BOOST_TEST(startsWith(client.command("LIST"), "+OK 3 messages"));
	std::string expectList;
	for (int i = 0; i < 3; ++i) expectList += std::to_string(i + 1) + " " + std::to_string(std::string(kMessages[i]).size()) + "\r\n";
	BOOST_TEST(client.multiline() == expectList);
	BOOST_TEST(client.command("LIST 2") == "+OK 2 " + std::to_string(std::string(kMessages[1]).size()));
	for (int i = 0; i < 3; ++i)
	{
		BOOST_TEST(client.command("RETR " + std::to_string(i + 1)) == "+OK " + std::to_string(std::string(kMessages[i]).size()) + " octets");
		BOOST_TEST(client.multiline() == kMessages[i]);
	}
	BOOST_TEST(client.command("TOP 3 1") == "+OK top of message follows");
	BOOST_TEST(client.multiline() == "Subject: three\r\nX: y\r\n\r\nl1\r\n");
	BOOST_TEST(client.command("UIDL 1") == "+OK 1 1700000000.M1P1Q0.test.example,S=" + std::to_string(std::string(kMessages[0]).size()));
	BOOST_TEST(client.command("UIDL") == "+OK unique-id listing follows");
	const std::string uidl = client.multiline();
	BOOST_TEST(uidl.find("3 1700000002.M1P1Q2.test.example,S=") != std::string::npos);
}


BOOST_FIXTURE_TEST_CASE(strict_arguments_and_ranges, Pop3Fixture)
{
	Client client(*context);
	client.login();
	const char* const bad[] = {"RETR 0", "RETR 4", "RETR -1", "RETR +1", "RETR 1 2", "RETR", "RETR 0x1",
		"RETR 99999999999999999999999", "LIST 4", "LIST 1 1", "DELE 18446744073709551615", "TOP 1", "TOP 1 x",
		"TOP 4 0", "UIDL 0", "STAT 1", "NOOP 1"};
	for (const char* command: bad)
	{
		const std::string reply = client.command(command);
		BOOST_CHECK_MESSAGE(startsWith(reply, "-ERR "), command << ": \"" << reply << "\"");
	}
	BOOST_TEST(startsWith(client.command("STAT"), "+OK 3 ")); // nothing was changed or deleted
}


BOOST_FIXTURE_TEST_CASE(deleted_messages_give_errors_and_rset_undoes, Pop3Fixture)
{
	Client client(*context);
	client.login();
	BOOST_TEST(client.command("DELE 2") == "+OK message 2 deleted");
	for (const char* command: {"RETR 2", "LIST 2", "DELE 2", "TOP 2 0", "UIDL 2"})
	{
		BOOST_CHECK_MESSAGE(client.command(command) == "-ERR message 2 already deleted", command);
	}
	BOOST_TEST(startsWith(client.command("STAT"), "+OK 2 "));
	BOOST_TEST(startsWith(client.command("LIST"), "+OK 2 messages"));
	BOOST_TEST(client.multiline().find("2 ") != 0);
	BOOST_TEST(startsWith(client.command("RSET"), "+OK maildrop has 3 messages"));
	BOOST_TEST(startsWith(client.command("RETR 2"), "+OK"));
	BOOST_TEST(client.multiline() == kMessages[1]);
}


BOOST_FIXTURE_TEST_CASE(dele_then_drop_keeps_dele_then_quit_removes, Pop3Fixture)
{
	{
		Client client(*context);
		client.login();
		BOOST_TEST(startsWith(client.command("DELE 1"), "+OK"));
		BOOST_TEST(startsWith(client.command("DELE 3"), "+OK"));
	} // dropped without QUIT
	BOOST_TEST(files(kUser) == 3u);
	{
		Client client(*context);
		client.login();
		BOOST_TEST(startsWith(client.command("DELE 1"), "+OK"));
		BOOST_TEST(startsWith(client.command("DELE 3"), "+OK"));
		BOOST_TEST(client.command("QUIT") == "+OK test.example POP3 server signing off (1 message (" + std::to_string(std::string(kMessages[1]).size()) + " octets) left)");
		BOOST_TEST(client.closed());
	}
	BOOST_TEST(files(kUser) == 1u);
	Client client(*context);
	client.login();
	BOOST_TEST(client.command("RETR 1") == "+OK " + std::to_string(std::string(kMessages[1]).size()) + " octets");
	BOOST_TEST(client.multiline() == kMessages[1]);
}


BOOST_FIXTURE_TEST_CASE(update_reports_deletions_that_failed, Pop3Fixture)
{
	Client client(*context);
	client.login();
	BOOST_TEST(startsWith(client.command("DELE 1"), "+OK"));
	BOOST_TEST(startsWith(client.command("DELE 2"), "+OK"));
	// Message 1's name now holds a directory: unlink() fails (EISDIR), even for root.
	std::vector<std::string> names;
	Poco::File(mailbox(kUser) + "/new").list(names);
	std::sort(names.begin(), names.end());
	const std::string first = mailbox(kUser) + "/new/" + names.front();
	Poco::File(first).remove();
	Poco::File(first).createDirectory();
	BOOST_TEST(client.command("QUIT") == "-ERR [SYS/TEMP] some deleted messages not removed");
	BOOST_TEST(client.closed());
	BOOST_TEST(files(kUser) == 2u); // message 2 was removed, the directory stayed
}


BOOST_FIXTURE_TEST_CASE(second_session_in_use_other_user_unaffected, Pop3Fixture)
{
	Client first(*context);
	first.login();
	Client second(*context);
	BOOST_TEST(startsWith(second.command("USER u1@example.com"), "+OK"));
	BOOST_TEST(startsWith(second.command("PASS p1"), "-ERR [IN-USE] "));
	BOOST_TEST(startsWith(second.command("STAT"), "-ERR")); // still in AUTHORIZATION
	Client other(*context);
	other.login("u2@example.com", "pass two"); // password with a space
	BOOST_TEST(other.command("STAT") == "+OK 0 0");
	BOOST_TEST(startsWith(first.command("QUIT"), "+OK"));
	BOOST_TEST(first.closed());
	second.login(); // released by QUIT
}


BOOST_FIXTURE_TEST_CASE(lock_released_on_drop, Pop3Fixture)
{
	{
		Client first(*context);
		first.login();
	}
	Client again(*context);
	again.login();
}


BOOST_FIXTURE_TEST_CASE(bad_credentials_delayed_limited_then_close, Pop3Fixture)
{
	server.limits.maxAuthFailures = 2;
	Client client(*context);
	BOOST_TEST(startsWith(client.command("USER nobody@example.com"), "+OK"));
	const auto started = std::chrono::steady_clock::now();
	BOOST_TEST(client.command("PASS p1") == "-ERR [AUTH] invalid user name or password");
	const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
	BOOST_TEST(waited.count() >= 900);
	BOOST_TEST(startsWith(client.command("USER u1@example.com"), "+OK"));
	BOOST_TEST(startsWith(client.command("PASS P1"), "-ERR [AUTH] ")); // passwords are case-sensitive
	BOOST_TEST(client.closed());
}


BOOST_FIXTURE_TEST_CASE(user_name_local_part_is_case_sensitive, Pop3Fixture)
{
	server.limits.maxAuthFailures = 5;
	Client client(*context);
	BOOST_TEST(startsWith(client.command("USER U1@example.com"), "+OK"));
	BOOST_TEST(startsWith(client.command("PASS p1"), "-ERR [AUTH] "));
}


BOOST_FIXTURE_TEST_CASE(long_lines_rejected_session_goes_on, Pop3Fixture)
{
	Client client(*context);
	// 255 octets with CRLF is the most RFC 2449 allows: accepted.
	BOOST_TEST(client.command("USER " + std::string(248, 'a')) == "+OK send PASS");
	BOOST_TEST(startsWith(client.command("USER " + std::string(249, 'a')), "-ERR command line too long"));
	BOOST_TEST(startsWith(client.command("NOOP" + std::string(5000, ' ')), "-ERR command line too long"));
	client.login();
	BOOST_TEST(startsWith(client.command("STAT"), "+OK 3 "));
}


BOOST_FIXTURE_TEST_CASE(pipelined_commands_answered_in_order, Pop3Fixture)
{
	Client client(*context);
	client.send("USER u1@example.com\r\nPASS p1\r\nSTAT\r\nLIST 1\r\nNOOP\r\nRETR 1\r\nQUIT\r\n");
	BOOST_TEST(startsWith(client.line(), "+OK send PASS"));
	BOOST_TEST(startsWith(client.line(), "+OK maildrop"));
	BOOST_TEST(startsWith(client.line(), "+OK 3 "));
	BOOST_TEST(startsWith(client.line(), "+OK 1 "));
	BOOST_TEST(client.line() == "+OK");
	BOOST_TEST(startsWith(client.line(), "+OK"));
	BOOST_TEST(client.multiline() == kMessages[0]);
	BOOST_TEST(startsWith(client.line(), "+OK test.example POP3 server signing off"));
	BOOST_TEST(client.closed());
}


BOOST_FIXTURE_TEST_CASE(mail_arriving_during_session_shows_next_time, Pop3Fixture)
{
	{
		Client client(*context);
		client.login();
		deliver(kUser, "Subject: late\r\n\r\nx\r\n", 5);
		BOOST_TEST(startsWith(client.command("STAT"), "+OK 3 "));
		BOOST_TEST(startsWith(client.command("QUIT"), "+OK"));
	}
	Client client(*context);
	client.login();
	BOOST_TEST(startsWith(client.command("STAT"), "+OK 4 "));
}


BOOST_FIXTURE_TEST_CASE(idle_timeout_closes_without_deleting, Pop3Fixture)
{
	server.limits.popTimeout = std::chrono::seconds(1);
	Client client(*context);
	client.login();
	BOOST_TEST(startsWith(client.command("DELE 1"), "+OK"));
	BOOST_TEST(startsWith(client.line(), "-ERR [SYS/TEMP] idle for too long"));
	BOOST_TEST(client.closed());
	BOOST_TEST(files(kUser) == 3u);
}


BOOST_FIXTURE_TEST_CASE(shutdown_answers_err_and_deletes_nothing, Pop3Fixture)
{
	Client client(*context);
	client.login();
	BOOST_TEST(startsWith(client.command("DELE 1"), "+OK"));
	context->stopping = true;
	client.serverSocket().shutdownReceive(); // what TcpListener::stop() does
	BOOST_TEST(client.line() == "-ERR [SYS/TEMP] test.example POP3 server shutting down");
	BOOST_TEST(client.closed());
	BOOST_TEST(files(kUser) == 3u);
}


BOOST_FIXTURE_TEST_CASE(too_many_errors_close, Pop3Fixture)
{
	server.limits.hardErrors = 3;
	Client client(*context);
	BOOST_TEST(startsWith(client.command("BAD1"), "-ERR unknown command"));
	BOOST_TEST(startsWith(client.command("BAD2"), "-ERR unknown command"));
	BOOST_TEST(startsWith(client.command("BAD3"), "-ERR unknown command \"BAD3\"; too many errors"));
	BOOST_TEST(client.closed());
}


BOOST_AUTO_TEST_SUITE_END()
