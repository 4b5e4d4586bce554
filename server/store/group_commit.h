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
/// Wake-ups: the callers of a batch and those of the next one wait on two condition
/// variables (by the batch's parity), so a finished batch wakes its own callers, which
/// return, and one caller of the next batch, which leads it; the rest of the next batch
/// sleep on until it is done. (One condition variable woke them all at every batch, and
/// all but one went back to sleep: two thread switches each, and a contended mutex.)
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
				// In the running batch, or else in the next one.
				const unsigned long batch = ticket < _runningLast ? _batches : _batches + 1;
				_done[batch % 2].wait(lock);
				continue;
			}
			std::vector<Item*> batch;
			batch.swap(_waiting);
			const unsigned long last = _queued;
			_running = true;
			_runningLast = last;
			++_batches;
			lock.unlock();
			_run(batch);
			lock.lock();
			_running = false;
			_finished = last;
			_done[_batches % 2].notify_all();
			if (!_waiting.empty()) _done[(_batches + 1) % 2].notify_one();
		}
	}

	std::size_t waiting() const ///< items queued for the next batch
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _waiting.size();
	}

private:
	Run _run;
	mutable std::mutex _mutex;
	std::condition_variable _done[2]; ///< by batch number's parity: who waits for that batch
	std::vector<Item*> _waiting;
	unsigned long _queued = 0;      ///< tickets handed out
	unsigned long _finished = 0;    ///< every ticket below this is committed
	unsigned long _runningLast = 0; ///< the running batch holds the tickets below this
	unsigned long _batches = 0;     ///< batches started; the running one is this number
	bool _running = false;
};


} // namespace mail
