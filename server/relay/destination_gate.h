// destination_gate.h - per-destination concurrency window and dead-destination backoff.
//
// As Postfix's qmgr: waiting work is keyed by next-hop destination (the recipient
// domain). A destination starts with a window of one connection (a probe); once an
// exchanger of it has answered, the window opens to relay.destination_concurrency. A
// destination whose every exchanger fails at connect or greeting is dead for its retry
// interval: no attempts at all until then, then one probe again. So a dead or silent
// destination holds one worker at most, never the workers other destinations need, and a
// recovered one drains at full speed.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>


namespace mail {


class DestinationGate
{
public:
	using Clock = std::chrono::system_clock;
	using DeadTime = std::function<Clock::duration(unsigned failures)>;

	DestinationGate(unsigned maxConcurrency, DeadTime deadTime);
	/// deadTime: how long a destination stays dead after that many failures in a row.

	enum class Admission
	{
		Go,   ///< a slot is taken: send, then leave()
		Busy, ///< the window is full: the id waits in the destination's queue until leave() hands it back
		Dead  ///< no attempts until `until`
	};

	Admission enter(const std::string& destination, const std::string& id, Clock::time_point& until);

	enum class Verdict
	{
		Reached,     ///< an exchanger answered (whatever it said about the recipients)
		Unreachable, ///< every exchanger failed at connect, greeting or EHLO
		Unknown      ///< not tried (no route now, or stopping)
	};

	struct Wake
	{
		std::vector<std::string> ids; ///< waiting messages to schedule
		Clock::time_point at;         ///< when: now, or the end of the dead time
	};

	Wake leave(const std::string& destination, Verdict verdict);
	/// Gives the slot back and hands back the messages waiting for the destination.

	struct Snapshot
	{
		std::string destination;
		unsigned inFlight = 0;
		unsigned window = 0;
		std::size_t waiting = 0;
		Clock::time_point deadUntil; ///< epoch when not dead
	};
	std::vector<Snapshot> snapshot() const; ///< for monitoring and tests

	void revive(const std::string& destination);
	/// The operator asked for a retry (postqueue -i/-f): the dead time ends now, and the
	/// next attempt is one probe, as after any dead time (Postfix flushes dead sites too).
	void reviveAll();

private:
	struct Destination
	{
		unsigned inFlight = 0;
		unsigned window = 1;
		unsigned failures = 0;
		Clock::time_point deadUntil;
		std::deque<std::string> waiting;
	};

	unsigned _maxConcurrency;
	DeadTime _deadTime;
	mutable std::mutex _mutex;
	std::map<std::string, Destination> _destinations;
};


} // namespace mail
