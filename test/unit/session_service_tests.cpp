// session_service_tests.cpp - SMTP and POP3 as two instances of one SessionService.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "common/base/line_reader.h"
#include "server/mail/delivery.h"
#include "server/net/session_service.h"
#include "server/pop3/pop3_session.h"
#include "server/store/queue/relay_queue.h"
#include "server/server_context.h"
#include "server/smtp/smtp_session.h"
#include "server/store/maildir_store.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <string>

using mail::ServerConfig;
using mail::SessionService;


BOOST_AUTO_TEST_SUITE(session_service_tests)


namespace {


struct Services
/// A server with both protocols on ephemeral ports, one session per client address.
{
	Services():
		context(config, makeServer(), dir.path()),
		store(context.mailDir()),
		queue(context.queueDir()),
		delivery(server, store, queue)
	{
	}

	const ServerConfig& makeServer()
	{
		server.name = "srv.example";
		server.addAccount("usr1@local.example", "p1");
		server.domains = {"local.example"};
		server.limits.maxSessionsPerIp = 1;
		return server;
	}

	std::unique_ptr<SessionService> smtp()
	{
		return std::make_unique<SessionService>("smtp", server, &ServerConfig::smtp, mail::SmtpSession::busyReply(server),
			[this](Poco::Net::StreamSocket& socket, const std::string& id) {
				mail::SmtpSession(context, delivery, socket, id).run();
			});
	}

	std::unique_ptr<SessionService> pop3()
	{
		return std::make_unique<SessionService>("pop3", server, &ServerConfig::pop, mail::Pop3Session::busyReply(server),
			[this](Poco::Net::StreamSocket& socket, const std::string& id) {
				mail::Pop3Session(context, socket, id).run();
			});
	}

	mail::test::TempDir dir;
	mail::Config config;
	ServerConfig server;
	mail::ServerContext context;
	mail::MaildirStore store;
	mail::RelayQueue queue;
	mail::Delivery delivery;
};


struct Client
{
	explicit Client(std::uint16_t port):
		socket(Poco::Net::SocketAddress("127.0.0.1", port)), reader(socket) {}

	std::string line()
	{
		std::string text;
		const mail::ReadStatus status = reader.readLine(text, 1000, Poco::Timespan(5, 0));
		return status == mail::ReadStatus::Ok ? text : std::string("<") + mail::toString(status) + ">";
	}

	Poco::Net::StreamSocket socket;
	mail::LineReader reader;
};


} // namespace


BOOST_FIXTURE_TEST_CASE(each_protocol_greets_and_answers_busy_with_its_own_reply, Services)
{
	const auto smtpService = smtp();
	const auto pop3Service = pop3();
	smtpService->start();
	pop3Service->start();
	BOOST_TEST(smtpService->protocol() == "smtp");
	BOOST_TEST(pop3Service->port() != 0);
	BOOST_TEST(pop3Service->port() != smtpService->port());

	Client smtpClient(smtpService->port());
	BOOST_TEST(smtpClient.line() == "220 srv.example ESMTP");
	Client smtpBusy(smtpService->port());
	BOOST_TEST(smtpBusy.line() == "421 4.7.0 srv.example Error: too many connections");

	Client popClient(pop3Service->port());
	BOOST_TEST(popClient.line() == "+OK srv.example POP3 server ready");
	Client popBusy(pop3Service->port());
	BOOST_TEST(popBusy.line() == "-ERR [SYS/TEMP] too many connections, try again later");
}


BOOST_FIXTURE_TEST_CASE(the_port_selector_picks_the_port, Services)
{
	Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
	server.smtp = taken.address().port(); // pop stays 0: an ephemeral port
	const auto pop3Service = pop3();
	BOOST_REQUIRE_NO_THROW(pop3Service->start());
	BOOST_TEST(pop3Service->port() != server.smtp);
	const auto smtpService = smtp();
	BOOST_CHECK_THROW(smtpService->start(), Poco::Exception);
}


BOOST_FIXTURE_TEST_CASE(the_destructor_stops_and_sessions_say_why, Services)
{
	auto smtpService = smtp();
	auto pop3Service = pop3();
	smtpService->start();
	pop3Service->start();
	Client smtpClient(smtpService->port());
	Client popClient(pop3Service->port());
	BOOST_REQUIRE(smtpClient.line() == "220 srv.example ESMTP");
	BOOST_REQUIRE(popClient.line() == "+OK srv.example POP3 server ready");
	context.stopping = true;
	smtpService.reset(); // no stop() call: the destructor shuts the sessions' input and waits
	pop3Service.reset();
	BOOST_TEST(smtpClient.line() == "421 4.3.2 srv.example Service shutting down");
	BOOST_TEST(popClient.line() == "-ERR [SYS/TEMP] srv.example POP3 server shutting down");
	BOOST_TEST(smtpClient.line() == "<closed>");
}


BOOST_AUTO_TEST_SUITE_END()
