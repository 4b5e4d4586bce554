// group_commit.h - lets concurrent writers share one durable commit (one journal commit for many files).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>


namespace mail {


template <class Item>
class GroupCommit
/// Each writer prepares its item (files written, not yet synced) and calls commit(). The
/// first caller to find no commit running becomes the leader: it takes every item waiting,
/// runs the commit function once for the whole batch without the lock held, and wakes the
/// others; callers arriving meanwhile wait and form the next batch. So N concurrent writers
/// pay one journal commit together instead of N. The commit function must not throw: it
/// records each item's failure in the item. commit() returns once the caller's item is in a
/// finished batch.
{
public:
	using Run = std::function<void(std::vector<Item*>& batch)>;

	explicit GroupCommit(Run run):
		_run(std::move(run))
	{
	}

	void commit(Item& item)
	{
		std::unique_lock<std::mutex> lock(_mutex);
		const unsigned long ticket = _queued++;
		_waiting.push_back(&item);
		while (_finished <= ticket)
		{
			if (_running)
			{
				_done.wait(lock);
				continue;
			}
			std::vector<Item*> batch;
			batch.swap(_waiting);
			const unsigned long last = _queued;
			_running = true;
			lock.unlock();
			_run(batch);
			lock.lock();
			_running = false;
			_finished = last;
			_done.notify_all();
		}
	}

private:
	Run _run;
	std::mutex _mutex;
	std::condition_variable _done;
	std::vector<Item*> _waiting;
	unsigned long _queued = 0;   ///< tickets handed out
	unsigned long _finished = 0; ///< every ticket below this is committed
	bool _running = false;
};


} // namespace mail
