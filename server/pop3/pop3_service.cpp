// pop3_service.cpp - the POP3 listener on the server's pop port.
#include "server/pop3/pop3_service.h"

#include "server/pop3/pop3_session.h"
#include "server/net/tcp_listener.h"

using Poco::Net::StreamSocket;


namespace mail {


Pop3Service::Pop3Service(ServerContext& context): _context(context) {}


Pop3Service::~Pop3Service()
{
	stop();
}


void Pop3Service::start()
{
	const ServerConfig& server = _context.server;
	_listener.reset(new TcpListener("pop3", server.address, server.pop, server.limits,
		[this](StreamSocket& socket, const std::string& sessionId) {
			Pop3Session(socket, sessionId, _context).run();
		},
		"-ERR [SYS/TEMP] too many connections, try again later\r\n"));
	_listener->start();
}


void Pop3Service::stop()
{
	if (_listener) _listener->stop();
}


std::uint16_t Pop3Service::port() const
{
	return _listener ? _listener->port() : 0;
}


} // namespace mail
