// journal.h - the event journal: the last events in memory, a writer thread, live subscribers.
//
// record() never waits for a disk or a reader: it stamps the event (t in microseconds,
// seq, server) under a short lock, keeps it in a ring of the last `keep`, and hands the
// line to a bounded queue for the writer thread and to each subscriber's bounded queue.
// A full queue drops the line and counts it (the writer's drops are logged and served by
// the API; a seq gap in events.jsonl is a dropped line). keep 0 means no journal at all:
// the programs then make none, and the call sites skip building events.
#pragma once

#include "common/journal/journal_event.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>


namespace mail {


struct StoredEvent
/// One stamped event as the ring keeps it.
{
	std::uint64_t seq = 0;
	std::int64_t t = 0; ///< microseconds since the Unix epoch
	std::string type;
	std::string session;
	std::string queueId;
	std::string messageId;
	std::string remoteId;
	std::string json; ///< the whole object, one line, no newline
};


class JournalSink
/// Where the writer thread puts lines (JournalFile: events.jsonl). Called on the
/// writer thread only.
{
public:
	virtual ~JournalSink() = default;
	virtual void write(const std::vector<std::string>& lines) = 0;
	/// Each line without its newline. May throw; the journal logs it and goes on.
};


class JournalSubscription
/// A live reader's queue (the API's event stream). Bounded: when the reader is slow,
/// new events are dropped and counted.
{
public:
	explicit JournalSubscription(std::size_t capacity);

	bool next(std::vector<std::string>& out, std::chrono::milliseconds timeout);
	/// Waits up to timeout for events and moves them into out (JSON lines). False once
	/// the journal closed the subscription (shutdown) and nothing is left.
	std::uint64_t dropped() const;

private:
	friend class Journal;
	void push(const std::string& json);
	void close();

	mutable std::mutex _mutex;
	std::condition_variable _ready;
	std::deque<std::string> _lines;
	std::size_t _capacity;
	std::uint64_t _dropped = 0;
	bool _closed = false;
};


class Journal
/// Thread-safe.
{
public:
	Journal(std::string server, std::size_t keep, std::unique_ptr<JournalSink> sink = nullptr,
		std::size_t maxPending = kDefaultMaxPending);
	/// keep >= 1. sink null: memory only (mail-dns without a file).
	~Journal(); ///< writes what is queued, then stops the writer
	Journal(const Journal&) = delete;
	Journal& operator=(const Journal&) = delete;

	static constexpr std::size_t kDefaultMaxPending = 16384;
	///< lines waiting for the writer before record() drops (about 4 MB at worst)
	static constexpr std::chrono::milliseconds kWriteInterval{50};
	///< how long the writer gathers lines after the first one before it writes them: a
	///< burst of events costs one wake-up and one write, not one of each per event

	void record(const JournalEvent& event);

	std::vector<StoredEvent> since(std::uint64_t seq, std::size_t limit) const;
	/// Events with a seq above seq, oldest first, at most limit (the newest limit ones
	/// when more are kept).
	void read(const std::function<void(const std::deque<StoredEvent>&)>& reader) const;
	/// Calls reader with the kept events (oldest first) under the journal's lock: a
	/// search over them (server/journal/message_story) without a copy of the ring.
	/// reader must not call the journal.

	std::uint64_t dropped() const; ///< lines the writer never got (queue full)
	std::uint64_t lastSeq() const; ///< the seq of the newest event (0: none yet)
	std::size_t keep() const { return _keep; }
	const std::string& server() const { return _server; }

	std::shared_ptr<JournalSubscription> subscribe(std::size_t capacity = 1024);
	/// A live reader's queue; it ends when the returned pointer is released.
	void close();
	/// Ends every subscription (server stop: streams end instead of holding the stop).

private:
	void writeLoop();

	const std::string _server;
	const std::string _serverJson; ///< the server name as a JSON string, rendered once
	const std::size_t _keep;
	const std::size_t _maxPending;
	std::unique_ptr<JournalSink> _sink;

	mutable std::mutex _mutex;
	std::deque<StoredEvent> _ring;
	std::vector<std::string> _pending;    ///< for the writer
	std::vector<std::string> _spareLines; ///< written lines' buffers, reused by record()
	std::vector<std::weak_ptr<JournalSubscription>> _subscribers;
	std::uint64_t _seq = 0;
	std::uint64_t _dropped = 0;
	bool _stop = false;
	bool _closed = false;
	std::condition_variable _wake;
	std::thread _writer;
};


} // namespace mail
