// smtp_service.h - the SMTP listener on the server's smtp port.
#pragma once

#include "server_context.h"


namespace mail {


class MaildirStore;
class RelayQueue;


class SmtpService
{
public:
	SmtpService(ServerContext& context, MaildirStore& store, RelayQueue& queue);
	~SmtpService();

	void start(); ///< binds and starts serving; throws Poco::Exception when it cannot
	void stop();  ///< stops accepting, tells sessions to close, waits for them

private:
	ServerContext& _context;
};


} // namespace mail
