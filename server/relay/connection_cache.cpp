// connection_cache.cpp - idle SMTP connections by exchanger, closed after the cache time.
#include "server/relay/connection_cache.h"

#include <vector>


namespace mail {


namespace {


std::string keyOf(const Exchanger& exchanger)
{
	return exchanger.address + ":" + std::to_string(exchanger.port);
}


} // namespace


ConnectionCache::ConnectionCache(Seconds idleTime, unsigned maxMessages):
	_idleTime(idleTime),
	_maxMessages(maxMessages)
{
	if (idleTime.count() > 0) _reaper = std::thread([this] { reap(); });
}


ConnectionCache::~ConnectionCache()
{
	closeAll();
	if (_reaper.joinable()) _reaper.join();
}


std::unique_ptr<SmtpConnection> ConnectionCache::take(const Exchanger& exchanger)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto found = _idle.find(keyOf(exchanger));
	if (found == _idle.end()) return nullptr;
	std::unique_ptr<SmtpConnection> connection = std::move(found->second.connection);
	_idle.erase(found);
	return connection;
}


void ConnectionCache::give(std::unique_ptr<SmtpConnection> connection)
{
	if (connection->ready() && connection->messages() < _maxMessages && _idleTime.count() > 0)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_closed)
		{
			std::string key = keyOf(connection->exchanger()); // before the move below empties the pointer
			_idle.emplace(std::move(key), Idle{std::move(connection), Clock::now()});
			return;
		}
	}
	connection->quit();
}


void ConnectionCache::closeAll()
{
	std::multimap<std::string, Idle> idle;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
		idle.swap(_idle);
	}
	_wake.notify_all();
	for (auto& [key, entry]: idle) entry.connection->quit();
}


std::size_t ConnectionCache::idle() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _idle.size();
}


void ConnectionCache::reap()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_closed)
	{
		Clock::time_point next = Clock::now() + _idleTime;
		std::vector<std::unique_ptr<SmtpConnection>> expired;
		for (auto it = _idle.begin(); it != _idle.end();)
		{
			if (it->second.since + _idleTime <= Clock::now())
			{
				expired.push_back(std::move(it->second.connection));
				it = _idle.erase(it);
			}
			else
			{
				next = std::min(next, it->second.since + _idleTime);
				++it;
			}
		}
		if (!expired.empty())
		{
			// QUIT waits for the peer: not under the lock, so workers can take and give meanwhile.
			lock.unlock();
			for (auto& connection: expired) connection->quit();
			lock.lock();
			continue;
		}
		_wake.wait_until(lock, next);
	}
}


} // namespace mail
