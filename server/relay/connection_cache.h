// connection_cache.h - idle SMTP connections kept for the next message to the same exchanger.
//
// As Postfix's connection cache (smtp_connection_cache_time_limit, default 2 s): after a
// transaction a Ready connection is parked here under its exchanger's address:port, for
// at most the cache time and while it has sent fewer than max messages; the next message
// to that exchanger takes it (RSET first) instead of connecting and greeting again. A
// reaper thread QUITs connections idle too long, so peers do not see them hang around.
#pragma once

#include "common/base/seconds.h"
#include "server/relay/smtp_connection.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>


namespace mail {


class ConnectionCache
{
public:
	ConnectionCache(Seconds idleTime, unsigned maxMessages);
	/// idleTime 0: nothing is kept, every connection is closed after its transaction.
	~ConnectionCache(); ///< QUITs every idle connection

	ConnectionCache(const ConnectionCache&) = delete;
	ConnectionCache& operator=(const ConnectionCache&) = delete;

	std::unique_ptr<SmtpConnection> take(const Exchanger& exchanger);
	/// An idle connection to that address:port, or nullptr.

	void give(std::unique_ptr<SmtpConnection> connection);
	/// Keeps a Ready connection with messages to spare; QUITs any other.

	void closeAll(); ///< QUITs every idle connection (at server stop); later ones are closed at once
	std::size_t idle() const;

private:
	using Clock = std::chrono::steady_clock;
	struct Idle
	{
		std::unique_ptr<SmtpConnection> connection;
		Clock::time_point since;
	};

	void reap();

	Clock::duration _idleTime;
	unsigned _maxMessages;
	mutable std::mutex _mutex;
	std::condition_variable _wake;
	std::multimap<std::string, Idle> _idle; ///< by "address:port"
	bool _closed = false;
	std::thread _reaper;
};


} // namespace mail
