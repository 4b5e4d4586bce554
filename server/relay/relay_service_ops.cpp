// relay_service_ops.cpp - the operator's queue actions on the relay (retry, hold, release, delete).
//
// The relay owns the queue: these run on the control socket's thread, change the schedule
// under its lock, and write an envelope only while no worker can hold the same message
// (it is out of _due, and a message being attempted is refused as Busy).
#include "server/relay/relay_service.h"

#include "server/relay/relay_message.h"

#include "common/mail/mail_address.h"
#include "server/mail/mail_events.h"
#include "server/message/message_id.h"

#include <Poco/String.h>


namespace mail {


const char* describe(QueueOpResult result)
{
	switch (result)
	{
	case QueueOpResult::Done: return "done";
	case QueueOpResult::NotFound: return "no such message in the queue";
	case QueueOpResult::Busy: return "being delivered right now; try again in a moment";
	case QueueOpResult::Held: return "on hold; release it first";
	case QueueOpResult::NotHeld: return "not on hold";
	}
	return "?";
}


QueueOpResult RelayService::takeForOperator(const std::string& id)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_known.count(id)) return QueueOpResult::NotFound;
	for (auto it = _due.begin(); it != _due.end(); ++it)
	{
		if (it->second == id)
		{
			_due.erase(it);
			return QueueOpResult::Done;
		}
	}
	return QueueOpResult::Busy;
}


void RelayService::reviveDestinations(const QueueEnvelope& envelope)
{
	for (const auto& recipient: envelope.recipients)
	{
		if (recipient.state == RecipientState::Pending) _gate.revive(Poco::toLower(domainOf(recipient.address)));
	}
}


QueueOpResult RelayService::retryNow(const std::string& id)
{
	QueueEnvelope pending;
	if (_queue.load(id, pending) && !pending.held) reviveDestinations(pending);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (auto it = _due.begin(); it != _due.end(); ++it)
		{
			if (it->second != id) continue;
			_due.erase(it);
			_due.emplace(Clock::time_point(), id);
			_wake.notify_one();
			return QueueOpResult::Done;
		}
		if (_known.count(id)) return QueueOpResult::Busy;
	}
	QueueEnvelope envelope;
	if (_queue.load(id, envelope) && envelope.held) return QueueOpResult::Held;
	return QueueOpResult::NotFound;
}


std::size_t RelayService::retryAll()
{
	_gate.reviveAll();
	std::lock_guard<std::mutex> lock(_mutex);
	std::multimap<Clock::time_point, std::string> now;
	for (auto& entry: _due) now.emplace(Clock::time_point(), entry.second);
	_due.swap(now);
	_wake.notify_all();
	return _due.size();
}


QueueOpResult RelayService::operate(const std::string& id, const std::function<void(QueueEnvelope&)>& change)
{
	const QueueOpResult taken = takeForOperator(id);
	if (taken == QueueOpResult::Busy) return taken;
	try
	{
		QueueEnvelope envelope;
		if (!_queue.load(id, envelope))
		{
			forget(id);
			return QueueOpResult::NotFound;
		}
		change(envelope);
	}
	catch (...)
	{
		if (taken == QueueOpResult::Done) giveBack(id);
		throw;
	}
	forget(id);
	return QueueOpResult::Done;
}


QueueOpResult RelayService::hold(const std::string& id)
{
	const QueueOpResult result = operate(id,
		[this](QueueEnvelope& envelope) {
			if (envelope.held) return;
			envelope.held = true;
			_queue.update(envelope);
		});
	if (result == QueueOpResult::Done) _log.information("%s relay held by=operator", id);
	return result;
}


QueueOpResult RelayService::release(const std::string& id)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_known.count(id)) return QueueOpResult::NotHeld;
	}
	QueueEnvelope envelope;
	if (!_queue.load(id, envelope)) return QueueOpResult::NotFound;
	if (!envelope.held) return QueueOpResult::NotHeld;
	envelope.held = false;
	envelope.nextAttempt = epochSeconds();
	_queue.update(envelope);
	reviveDestinations(envelope);
	_log.information("%s relay released by=operator", id);
	schedule(id, Clock::time_point());
	return QueueOpResult::Done;
}


QueueOpResult RelayService::remove(const std::string& id, const std::string& reason)
{
	unsigned attempts = 0;
	const QueueOpResult result = operate(id,
		[&](QueueEnvelope& envelope) {
			const std::string header = RelayMessage(_queue.open(envelope)).header();
			const MessageIds ids{id, _context.events->enabled() ? messageIdIn(header) : std::string()};
			failPending(envelope, ids, "5.0.0", "deleted from the queue by the operator: " + reason);
			bounce(envelope, ids, header);
			_queue.remove(id);
			attempts = envelope.attempts;
		});
	if (result == QueueOpResult::Done) _log.information("%s relay removed reason=deleted attempts=%u", id, attempts);
	return result;
}


void RelayService::forget(const std::string& id)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_known.erase(id);
}


void RelayService::giveBack(const std::string& id)
{
	// The operator's change failed half-way (a write error): the relay tries it again later,
	// as after a failed attempt.
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_due.emplace(Clock::now() + _policy.delayAfter(1), id);
	}
	_wake.notify_one();
}


} // namespace mail
