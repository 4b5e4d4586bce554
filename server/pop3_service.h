// pop3_service.h - the POP3 listener on the server's pop port.
#pragma once

#include "server_context.h"


namespace mail {


class MaildirStore;
class RelayQueue;


class Pop3Service
{
public:
	Pop3Service(ServerContext& context);
	~Pop3Service();

	void start(); ///< binds and starts serving; throws Poco::Exception when it cannot
	void stop();  ///< stops accepting, tells sessions to close, waits for them

private:
	ServerContext& _context;
};


} // namespace mail
