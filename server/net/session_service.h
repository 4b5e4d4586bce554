// session_service.h - one protocol's listener on one of the server's ports (SMTP, POP3, ...).
#pragma once

#include "common/config/config.h"
#include "server/net/tcp_listener.h"

#include <cstdint>
#include <memory>
#include <string>


namespace mail {


class SessionService
/// A TcpListener on server.address and the port a selector picks from the server's
/// config, running one session per connection on its pool thread. Every protocol is
/// an instance, not a subclass: a new one (HTTP) is a name, a port, a busy reply and
/// a function that runs one session.
{
public:
	using PortSelector = std::uint16_t ServerConfig::*; ///< e.g. &ServerConfig::smtp

	SessionService(std::string protocol, const ServerConfig& server, PortSelector port, std::string busyReply,
		TcpListener::SessionRunner runSession);
	/// protocol names the logger and the log lines of the listener ("smtp", "pop3");
	/// busyReply (with its CRLF) goes to a client over limits.max_sessions(_per_ip)
	/// instead of a greeting.
	~SessionService(); ///< stops, as stop() does

	SessionService(const SessionService&) = delete;
	SessionService& operator=(const SessionService&) = delete;

	void start();               ///< binds and starts serving; throws Poco::Exception when it cannot
	void stop();                ///< stops accepting, shuts every session's input (they answer and close), waits for them
	std::uint16_t port() const; ///< the bound port (0 in the config: an ephemeral one; 0 before start)
	const std::string& protocol() const { return _protocol; }

private:
	const std::string _protocol;
	const ServerConfig& _server;
	const PortSelector _port;
	const std::string _busyReply;
	const TcpListener::SessionRunner _runSession;
	std::unique_ptr<TcpListener> _listener;
};


} // namespace mail
