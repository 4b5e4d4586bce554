// destination_gate.cpp - concurrency window and dead marks per destination.
#include "server/relay/destination_gate.h"

#include <algorithm>


namespace mail {


DestinationGate::DestinationGate(unsigned maxConcurrency, DeadTime deadTime):
	_maxConcurrency(std::max(1u, maxConcurrency)),
	_deadTime(std::move(deadTime))
{
}


DestinationGate::Admission DestinationGate::enter(const std::string& destination, const std::string& id, Clock::time_point& until)
{
	std::lock_guard<std::mutex> lock(_mutex);
	Destination& d = _destinations[destination];
	if (d.deadUntil > Clock::now())
	{
		until = d.deadUntil;
		return Admission::Dead;
	}
	if (d.inFlight >= d.window)
	{
		if (std::find(d.waiting.begin(), d.waiting.end(), id) == d.waiting.end()) d.waiting.push_back(id);
		return Admission::Busy;
	}
	++d.inFlight;
	return Admission::Go;
}


DestinationGate::Wake DestinationGate::leave(const std::string& destination, Verdict verdict)
{
	std::lock_guard<std::mutex> lock(_mutex);
	Destination& d = _destinations[destination];
	if (d.inFlight > 0) --d.inFlight;
	Wake wake;
	wake.at = Clock::now();
	switch (verdict)
	{
	case Verdict::Reached:
		d.failures = 0;
		d.window = _maxConcurrency;
		break;
	case Verdict::Unreachable:
		++d.failures;
		d.window = 1;
		d.deadUntil = wake.at + _deadTime(d.failures);
		wake.at = d.deadUntil;
		break;
	case Verdict::Unknown: break;
	}
	// Every waiting message goes back to the schedule: the ones the window has room for
	// go now and the rest wait again (each enter() in order), or all wait out the dead
	// time. Handing back only as many as the window has room for could strand the rest
	// when one of those no longer needs this destination.
	if (verdict == Verdict::Unreachable || d.inFlight < d.window)
	{
		wake.ids.assign(d.waiting.begin(), d.waiting.end());
		d.waiting.clear();
	}
	return wake;
}


void DestinationGate::revive(const std::string& destination)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _destinations.find(destination);
	if (it != _destinations.end()) it->second.deadUntil = Clock::time_point();
}


void DestinationGate::reviveAll()
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto& entry: _destinations) entry.second.deadUntil = Clock::time_point();
}


std::vector<DestinationGate::Snapshot> DestinationGate::snapshot() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<Snapshot> out;
	for (const auto& [name, d]: _destinations) out.push_back(Snapshot{name, d.inFlight, d.window, d.waiting.size(), d.deadUntil});
	return out;
}


} // namespace mail
