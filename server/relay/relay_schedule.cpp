// relay_schedule.cpp - the relay's schedule: which message is due, the workers' loop that
// takes it, and the messages a destination's window hands back (DestinationGate).
#include "server/relay/relay_service.h"

#include <Poco/Exception.h>

namespace mail {


std::size_t RelayService::scheduled() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _known.size();
}


std::vector<ScheduledEntry> RelayService::scheduleSnapshot() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<ScheduledEntry> entries;
	for (const auto& [when, id]: _due) entries.push_back(ScheduledEntry{id, when, false, false});
	for (const auto& id: _inProgress) entries.push_back(ScheduledEntry{id, Clock::time_point(), true, false});
	for (const auto& id: _waiting) entries.push_back(ScheduledEntry{id, Clock::time_point(), false, true});
	return entries;
}


void RelayService::schedule(const std::string& id, Clock::time_point when)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stop || !_known.insert(id).second) return;
		_due.emplace(when, id);
	}
	_wake.notify_one();
}


void RelayService::resume(const DestinationGate::Wake& wake)
/// The gate hands messages back: those waiting go into the schedule; one still being
/// attempted is noted and goes back when its worker is done with it.
{
	if (wake.ids.empty()) return;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& id: wake.ids)
		{
			if (_waiting.erase(id)) _due.emplace(wake.at, id);
			else if (_inProgress.count(id)) _woken.insert(id);
		}
	}
	_wake.notify_all();
}


void RelayService::work()
{
	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		if (_stop) return;
		if (_due.empty())
		{
			_wake.wait(lock);
			continue;
		}
		const auto first = _due.begin();
		if (first->first > Clock::now())
		{
			// A copy: another worker may take and erase that entry while this one waits.
			const Clock::time_point when = first->first;
			_wake.wait_until(lock, when);
			continue;
		}
		const std::string id = first->second;
		_due.erase(first);
		_inProgress.insert(id);
		lock.unlock();

		Next next;
		try
		{
			next = attempt(id);
		}
		catch (const Poco::Exception& exc)
		{
			_log.error("%s relay attempt-failed error=%s", id, exc.displayText());
			next = Next{Next::Kind::At, Clock::now() + _policy.delayAfter(1)};
		}
		catch (const std::exception& exc)
		{
			_log.error("%s relay attempt-failed error=%s", id, std::string(exc.what()));
			next = Next{Next::Kind::At, Clock::now() + _policy.delayAfter(1)};
		}

		lock.lock();
		_inProgress.erase(id);
		const bool woken = _woken.erase(id) > 0;
		if (_stop || next.kind == Next::Kind::Done) _known.erase(id);
		else if (next.kind == Next::Kind::Waiting && !woken) _waiting.insert(id);
		else
		{
			_due.emplace(next.kind == Next::Kind::Waiting ? Clock::now() : next.at, id);
			// Another worker may be sleeping until a later time; let it see this one.
			_wake.notify_one();
		}
	}
}


} // namespace mail
