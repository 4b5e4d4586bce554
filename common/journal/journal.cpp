// journal.cpp - the ring, the writer thread and the subscribers of the event journal.
#include "common/journal/journal.h"

#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <algorithm>


namespace mail {


namespace {


void appendNumber(std::string& out, std::int64_t signedValue)
/// value in decimal, without a temporary string.
{
	if (signedValue < 0) out += '-';
	std::uint64_t value = signedValue < 0 ? 0 - static_cast<std::uint64_t>(signedValue) : static_cast<std::uint64_t>(signedValue);
	char digits[20];
	std::size_t n = 0;
	do
	{
		digits[n++] = static_cast<char>('0' + value % 10);
		value /= 10;
	} while (value != 0);
	while (n > 0) out += digits[--n];
}


} // namespace


JournalSubscription::JournalSubscription(std::size_t capacity):
	_capacity(std::max<std::size_t>(1, capacity))
{
}


void JournalSubscription::push(const std::string& json)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) return;
		if (_lines.size() >= _capacity)
		{
			++_dropped;
			return;
		}
		_lines.push_back(json);
	}
	_ready.notify_one();
}


void JournalSubscription::close()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}
	_ready.notify_all();
}


bool JournalSubscription::next(std::vector<std::string>& out, std::chrono::milliseconds timeout)
{
	std::unique_lock<std::mutex> lock(_mutex);
	_ready.wait_for(lock, timeout, [&] { return _closed || !_lines.empty(); });
	for (auto& line: _lines) out.push_back(std::move(line));
	_lines.clear();
	return !_closed || !out.empty();
}


std::uint64_t JournalSubscription::dropped() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _dropped;
}


Journal::Journal(std::string server, std::size_t keep, std::unique_ptr<JournalSink> sink, std::size_t maxPending):
	_server(std::move(server)),
	_serverJson(jsonString(_server)),
	_keep(std::max<std::size_t>(1, keep)),
	_maxPending(std::max<std::size_t>(1, maxPending)),
	_sink(std::move(sink))
{
	if (_sink) _writer = std::thread([this] { writeLoop(); });
}


Journal::~Journal()
{
	close();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stop = true;
	}
	_wake.notify_all();
	if (_writer.joinable()) _writer.join();
}


void Journal::record(const JournalEvent& event)
{
	const std::int64_t t = event.time() != 0 ? event.time() : Poco::Timestamp().epochMicroseconds();
	// What follows t and seq, built before the lock (one buffer per thread, reused).
	thread_local std::string tail;
	tail.clear();
	tail += ",\"server\":";
	tail += _serverJson;
	tail += ",\"type\":";
	appendJsonString(tail, event.type());
	if (!event.body().empty()) tail += ',';
	tail += event.body();
	tail += '}';
	std::vector<std::shared_ptr<JournalSubscription>> readers;
	bool wake = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		// The oldest event's strings are reused for the newest once the ring is full: in
		// steady state an event costs copies into buffers that exist, no allocation.
		StoredEvent stored;
		if (_ring.size() >= _keep)
		{
			stored = std::move(_ring.front());
			_ring.pop_front();
		}
		stored.seq = ++_seq;
		stored.t = t;
		stored.type.assign(event.type());
		stored.session.assign(event.session());
		stored.queueId.assign(event.queueId());
		stored.messageId.assign(event.messageId());
		stored.remoteId.assign(event.remoteId());
		// Numbered under the lock so the file is in seq order.
		std::string& json = stored.json;
		json.assign("{\"t\":");
		appendNumber(json, t);
		json += ",\"seq\":";
		appendNumber(json, static_cast<std::int64_t>(stored.seq));
		json += tail;
		if (_sink && !_stop)
		{
			if (_pending.size() >= _maxPending) ++_dropped;
			else
			{
				wake = _pending.empty();
				_pending.emplace_back();
				if (!_spareLines.empty())
				{
					_pending.back().swap(_spareLines.back());
					_spareLines.pop_back();
				}
				_pending.back().assign(json);
			}
		}
		for (auto it = _subscribers.begin(); it != _subscribers.end();)
		{
			if (auto reader = it->lock())
			{
				readers.push_back(std::move(reader));
				++it;
			}
			else it = _subscribers.erase(it);
		}
		for (const auto& reader: readers) reader->push(stored.json);
		_ring.push_back(std::move(stored));
	}
	if (wake) _wake.notify_one();
}


std::vector<StoredEvent> Journal::since(std::uint64_t seq, std::size_t limit) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	// The ring is in seq order: start at the first newer one.
	auto first = std::upper_bound(_ring.begin(), _ring.end(), seq,
		[](std::uint64_t s, const StoredEvent& e) { return s < e.seq; });
	const auto available = static_cast<std::size_t>(_ring.end() - first);
	if (available > limit) first = _ring.end() - static_cast<std::ptrdiff_t>(limit);
	return std::vector<StoredEvent>(first, _ring.end());
}


void Journal::read(const std::function<void(const std::deque<StoredEvent>&)>& reader) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	reader(_ring);
}


std::uint64_t Journal::dropped() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _dropped;
}


std::uint64_t Journal::lastSeq() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _seq;
}


std::shared_ptr<JournalSubscription> Journal::subscribe(std::size_t capacity)
{
	auto subscription = std::make_shared<JournalSubscription>(capacity);
	std::lock_guard<std::mutex> lock(_mutex);
	if (_closed) subscription->close();
	else _subscribers.push_back(subscription);
	return subscription;
}


void Journal::close()
{
	std::vector<std::weak_ptr<JournalSubscription>> subscribers;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
		subscribers.swap(_subscribers);
	}
	for (auto& weak: subscribers)
	{
		if (auto reader = weak.lock()) reader->close();
	}
}


void Journal::writeLoop()
{
	Poco::Logger& log = Poco::Logger::get("journal");
	std::uint64_t reported = 0;
	std::vector<std::string> batch;
	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		_wake.wait(lock, [&] { return _stop || !_pending.empty(); });
		if (_pending.empty() && _stop) break;
		// record() wakes the writer only for the first line of an empty queue; the lines
		// of the next kWriteInterval join it (a stop cuts the wait short).
		_wake.wait_for(lock, kWriteInterval, [&] { return _stop; });
		batch.swap(_pending);
		const std::uint64_t dropped = _dropped;
		lock.unlock();
		if (dropped > reported)
		{
			log.warning("journal dropped=%Lu total=%Lu reason=writer-behind", static_cast<unsigned long long>(dropped - reported),
				static_cast<unsigned long long>(dropped));
			reported = dropped;
		}
		try
		{
			_sink->write(batch);
		}
		catch (const std::exception& exc)
		{
			log.error("journal write failed lines=%z error=%s", batch.size(), std::string(exc.what()));
		}
		lock.lock();
		// The written lines' buffers go back to record() (at most a full queue's worth).
		for (std::string& line: batch)
		{
			if (_spareLines.size() >= _maxPending) break;
			_spareLines.push_back(std::move(line));
		}
		batch.clear();
	}
}


} // namespace mail
