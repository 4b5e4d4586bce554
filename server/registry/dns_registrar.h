// dns_registrar.h - dns.register: keeps the provider's records published in a real DNS server.
//
// At start and on SIGHUP it sends the signed UPDATE of registration_update.h to
// dns.register.server from its own thread; a failure (timeout, a refusal, a reply whose
// TSIG does not verify) is logged and retried with backoff (1 s doubling to 60 s) while
// the server keeps serving. stop() (clean shutdown) withdraws the records unless
// keep_on_shutdown, with a bounded number of tries so a dead DNS server cannot hold
// the shutdown.
#pragma once

#include "common/config/config.h"

#include <Poco/Runnable.h>
#include <Poco/Thread.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>


namespace mail {


class DnsRegistrar: public Poco::Runnable
{
public:
	static constexpr std::chrono::milliseconds ReplyTimeout{2000};
	static constexpr std::chrono::seconds FirstRetry{1};
	static constexpr std::chrono::seconds MaxRetry{60};
	static const unsigned WithdrawTries = 3;

	explicit DnsRegistrar(const ServerConfig& server);
	~DnsRegistrar() override;

	void start();                          ///< registers now (in the background)
	void update(const ServerConfig& next); ///< SIGHUP: register again with next's records
	void stop();                           ///< joins the thread, then withdraws unless keep_on_shutdown

	void run() override;

	static bool send(const ServerConfig& server, bool withdraw, std::string& error);
	/// One signed UPDATE and its verified reply; false with error set on any failure.

private:
	std::mutex _mutex;
	std::condition_variable _wake;
	ServerConfig _server; ///< guarded by _mutex
	bool _pending = true; ///< a registration is due
	bool _stopping = false;
	Poco::Thread _thread;
};


} // namespace mail
