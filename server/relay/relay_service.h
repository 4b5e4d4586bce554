// relay_service.h - the relay worker pool sending queued mail to other providers (its jobs:
// relay_schedule.cpp, relay_attempt.cpp, relay_bounce.cpp, relay_service_ops.cpp).
//
// A fixed pool of relay.workers threads takes message ids from an in-memory schedule:
// new messages at once (RelayQueue wakes the pool), deferred ones when their retry is due.
// Each attempt passes every pending recipient's domain (its destination) through the
// DestinationGate: a slot in the destination's window (else the message waits in that
// destination's queue, holding no worker), or, for a dead destination, a wait until its
// dead time ends (no connection at all). Through a slot it resolves the domain (cached
// MX/P/A), sends over a cached or new connection, records each recipient's new state
// durably, bounces permanent failures to the sender (RFC 3464) and removes the message
// once every recipient is final.
#pragma once

#include "common/lookup/dns_resolver.h"
#include "server/mail/message_ids.h"
#include "server/relay/destination_gate.h"
#include "server/relay/dns_cache.h"
#include "server/relay/relay_client.h"
#include "server/store/queue/relay_queue.h"
#include "server/relay/relay_router.h"
#include "server/relay/retry_policy.h"
#include "server/server_context.h"

#include <Poco/Logger.h>
#include <Poco/Thread.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>


namespace mail {


class Delivery;
class RelayMessage;


enum class QueueOpResult
/// What an operator's queue operation (RelayService::retryNow and the others) did.
{
	Done,
	NotFound, ///< no such message in the queue
	Busy,     ///< a worker is attempting it right now; try again in a moment
	Held,     ///< retryNow on a held message: release it first
	NotHeld   ///< release of a message that is not held
};

const char* describe(QueueOpResult result);


struct ScheduledEntry
/// One message known to the relay schedule, as scheduleSnapshot() reports it.
{
	std::string id;
	std::chrono::system_clock::time_point due; ///< next attempt; unset while inProgress
	bool inProgress = false;                   ///< a worker is attempting it now
	bool waiting = false;                      ///< in a destination's queue (window full); due unset
};


class RelayService
{
public:
	RelayService(ServerContext& context, RelayQueue& queue, Delivery& delivery);
	/// Bounces (delivery status notifications) go out through delivery, as SMTP's
	/// messages do: into the sender's Maildir, or queued when the sender is remote.
	~RelayService();

	void start();
	/// Scans the queue (restart recovery), schedules what it finds and starts the workers.
	void stop();
	/// Interrupts live transactions (they stay queued) and waits for the workers.

	std::size_t scheduled() const; ///< messages known to the schedule (waiting or in progress)

	std::vector<ScheduledEntry> scheduleSnapshot() const;
	/// What is due when, soonest first, then the messages being attempted. Thread-safe;
	/// a copy taken under the schedule lock, so it may be stale as soon as it returns.
	/// Messages waiting in a destination's queue come last, with `waiting` set.

	std::vector<DestinationGate::Snapshot> destinations() const { return _gate.snapshot(); }
	/// Each destination's window, connections in flight, waiting messages and dead time.

	// Operator actions (`mail-server -n NAME queue ...` through the control socket). The
	// relay owns the queue, so these change it here, under the schedule lock, never
	// alongside a worker's attempt on the same message (relay_service_ops.cpp).
	QueueOpResult retryNow(const std::string& id); ///< due now (postqueue -i)
	std::size_t retryAll();                        ///< every waiting message due now (postqueue -f)
	QueueOpResult hold(const std::string& id);     ///< out of the schedule, recorded in the envelope
	QueueOpResult release(const std::string& id);  ///< back into the schedule, due now
	QueueOpResult remove(const std::string& id, const std::string& reason);
	///< Fails every pending recipient with reason, bounces them to the sender (as expiry
	///  does) and removes the message.

private:
	using Clock = std::chrono::system_clock;

	struct Next
	/// What becomes of a message after an attempt.
	{
		enum class Kind
		{
			Done,   ///< every recipient final: removed
			At,     ///< try again at `at`
			Waiting ///< in a destination's queue: the gate hands it back
		};
		Kind kind = Kind::Done;
		Clock::time_point at;
	};

	void schedule(const std::string& id, Clock::time_point when);
	QueueOpResult operate(const std::string& id, const std::function<void(QueueEnvelope&)>& change);
	///< hold/remove: takes a waiting message out of the schedule, applies change to its
	///  envelope and forgets it; gives it back to the schedule if change throws.
	QueueOpResult takeForOperator(const std::string& id);
	///< Takes a waiting message out of _due (it stays in _known, so nothing reschedules it)
	///  for hold/remove; NotFound when the schedule does not know it (held or gone).
	void forget(const std::string& id);   ///< out of _known: held or removed by the operator
	void giveBack(const std::string& id); ///< back into _due after an operator action failed
	void reviveDestinations(const QueueEnvelope& envelope);
	///< An operator's "now" (retry, release): the dead time of each pending recipient's
	///  destination ends, or the gate would swallow the attempt.
	void resume(const DestinationGate::Wake& wake);
	void work();
	Next attempt(const std::string& id);
	/// One delivery attempt.
	DestinationGate::Verdict sendDomain(QueueEnvelope& envelope, const MessageIds& ids, const std::string& domain,
		const std::vector<std::size_t>& indices, RelayMessage& message);
	void failPending(QueueEnvelope& envelope, const MessageIds& ids, const std::string& status, const std::string& why);
	void bounce(QueueEnvelope& envelope, const MessageIds& ids, const std::string& header);
	///< ids: the message's, for the journal events these record (relay_events); header: the
	///< original's header section (RelayMessage::header()), quoted in the DSN.

	ServerContext& _context;
	RelayQueue& _queue;
	Delivery& _delivery;
	Poco::Logger& _log;
	Resolver _resolver;
	CachingLookup _dnsCache;
	RelayRouter _router;
	RelayClient _client;
	RetryPolicy _policy;
	DestinationGate _gate;

	mutable std::mutex _mutex;
	std::condition_variable _wake;
	std::multimap<Clock::time_point, std::string> _due;
	std::set<std::string> _known;      ///< ids waiting in _due, in a destination's queue or being worked on
	std::set<std::string> _inProgress; ///< ids a worker is attempting
	std::set<std::string> _woken;      ///< handed back by the gate while still in progress
	std::set<std::string> _waiting;    ///< in a destination's queue
	bool _stop = false;
	std::vector<std::unique_ptr<Poco::Thread>> _workers;
};


} // namespace mail
