// session_service.cpp - one protocol's listener on one of the server's ports (SMTP, POP3, ...).
#include "server/net/session_service.h"


namespace mail {


SessionService::SessionService(std::string protocol, const ServerConfig& server, PortSelector port,
	std::string busyReply, TcpListener::SessionRunner runSession):
	_protocol(std::move(protocol)),
	_server(server),
	_port(port),
	_busyReply(std::move(busyReply)),
	_runSession(std::move(runSession))
{
}


SessionService::~SessionService()
{
	stop();
}


void SessionService::start()
{
	_listener = std::make_unique<TcpListener>(_protocol, _server.address, _server.*_port, _server.limits, _runSession,
		_busyReply);
	_listener->start();
}


void SessionService::stop()
{
	if (_listener) _listener->stop();
}


std::uint16_t SessionService::port() const
{
	return _listener ? _listener->port() : 0;
}


} // namespace mail
