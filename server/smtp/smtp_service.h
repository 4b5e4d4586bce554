// smtp_service.h - the SMTP listener on the server's smtp port.
#pragma once

#include "server/server_context.h"

#include <memory>


namespace mail {


class MaildirStore;
class RelayQueue;
class TcpListener;


class SmtpService
	/// A TcpListener on server.address:server.smtp running one SmtpSession per connection.
{
public:
	SmtpService(ServerContext& context, MaildirStore& store, RelayQueue& queue);
	~SmtpService();

	void start(); ///< binds and starts serving; throws Poco::Exception when it cannot
	void stop();  ///< stops accepting, tells sessions to close (421), waits for them
	std::uint16_t port() const; ///< the bound port (0 in the config: an ephemeral one)

private:
	ServerContext& _context;
	MaildirStore& _store;
	RelayQueue& _queue;
	std::unique_ptr<TcpListener> _listener;
};


} // namespace mail
