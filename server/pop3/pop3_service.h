// pop3_service.h - the POP3 listener on the server's pop port.
#pragma once

#include "server/server_context.h"

#include <cstdint>
#include <memory>


namespace mail {


class TcpListener;


class Pop3Service
	/// One TcpListener ("pop3") whose sessions are Pop3Session. Over-limit clients get
	/// `-ERR [SYS/TEMP] too many connections` before any greeting.
{
public:
	explicit Pop3Service(ServerContext& context);
	~Pop3Service();

	void start(); ///< binds and starts serving; throws Poco::Exception when it cannot
	void stop();  ///< stops accepting, tells sessions to close, waits for them

	std::uint16_t port() const; ///< the bound port (0 before start)

private:
	ServerContext& _context;
	std::unique_ptr<TcpListener> _listener;
};


} // namespace mail
