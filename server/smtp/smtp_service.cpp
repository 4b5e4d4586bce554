// smtp_service.cpp - the SMTP listener on the server's smtp port.
#include "server/smtp/smtp_service.h"

#include "server/smtp/smtp_session.h"
#include "server/net/tcp_listener.h"


namespace mail {


SmtpService::SmtpService(ServerContext& context, MaildirStore& store, RelayQueue& queue):
	_context(context),
	_store(store),
	_queue(queue)
{
}


SmtpService::~SmtpService() = default;


void SmtpService::start()
{
	const ServerConfig& server = _context.server;
	_listener = std::make_unique<TcpListener>("smtp", server.address, server.smtp, server.limits,
		[this](Poco::Net::StreamSocket& socket, const std::string& id)
		{
			SmtpSession(_context, _store, _queue, socket, id).run();
		},
		"421 4.7.0 " + server.name + " Error: too many connections\r\n");
	_listener->start();
}


void SmtpService::stop()
{
	if (_listener) _listener->stop();
}


std::uint16_t SmtpService::port() const
{
	return _listener ? _listener->port() : 0;
}


} // namespace mail
