// fake_smtp_peer.h - a scripted SMTP server on a loopback port for the relay unit tests.
#pragma once

#include "server/relay/relay_router.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>


namespace mail {
namespace test {


class FakeSmtpPeer
/// Serves connections one after the other until destroyed. `answer` maps each command
/// line to the reply ("" = say nothing, "close" = drop the connection, a reply ending in
/// "\r\nclose" = say the rest, then drop it). After a 354 it
/// collects the DATA lines up to "." (still dot-stuffed) and answers `endOfData` (ending in
/// "\r\nclose" as well: then drops the connection).
{
public:
	using Answer = std::function<std::string(const std::string& command)>;

	FakeSmtpPeer(std::string greeting, Answer answer, std::string endOfData = "250 2.0.0 Ok: queued");
	~FakeSmtpPeer();
	FakeSmtpPeer(const FakeSmtpPeer&) = delete;
	FakeSmtpPeer& operator=(const FakeSmtpPeer&) = delete;

	std::uint16_t port() const { return _listener.address().port(); }
	Exchanger exchanger() const { return Exchanger{"mx.fake.example", 10, "127.0.0.1", port()}; }

	std::vector<std::string> commands() const; ///< every command line received, in order
	std::string data() const;                  ///< the DATA lines received, CRLF-terminated
	unsigned messages() const;                 ///< DATA transfers completed
	unsigned connections() const;              ///< connections accepted
	std::vector<std::string> followed() const;
	/// Commands that arrived with more input right behind them (a pipelined batch).

	static std::string standard(const std::string& command);
	/// A well-behaved server: EHLO with SIZE, every recipient accepted except error@...
	/// (550 5.1.1) and busy@... (450 4.2.1).

private:
	void serve();
	void session(Poco::Net::StreamSocket& socket);
	void say(Poco::Net::StreamSocket& socket, const std::string& reply);

	Poco::Net::ServerSocket _listener;
	std::string _greeting;
	Answer _answer;
	std::string _endOfData;
	mutable std::mutex _mutex;
	std::vector<std::string> _commands;
	std::string _data;
	unsigned _messages = 0;
	unsigned _connections = 0;
	std::vector<std::string> _followed;
	std::atomic<bool> _stop{false};
	std::thread _thread;
};


} // namespace test
} // namespace mail
