// relay_service.h - the relay worker pool sending queued mail to other providers.
#pragma once

#include "server_context.h"


namespace mail {


class MaildirStore;
class RelayQueue;


class RelayService
{
public:
	RelayService(ServerContext& context, RelayQueue& queue, MaildirStore& store);
	~RelayService();

	void start(); ///< binds and starts serving; throws Poco::Exception when it cannot
	void stop();  ///< stops accepting, tells sessions to close, waits for them

private:
	ServerContext& _context;
};


} // namespace mail
