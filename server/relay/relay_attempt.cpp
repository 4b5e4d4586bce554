// relay_attempt.cpp - one delivery attempt of a queued message: each pending recipient's
// destination through its window, the route, the transaction with the peer, and each
// recipient's outcome recorded durably before the next destination.
#include "server/relay/relay_service.h"

#include "common/ops/log.h"
#include "common/mail/mail_address.h"
#include "server/message/message_headers.h"
#include "server/message/message_id.h"
#include "server/relay/lookup_events.h"
#include "server/relay/relay_events.h"
#include "server/relay/relay_message.h"

#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>

namespace mail {


RelayService::Next RelayService::attempt(const std::string& id)
{
	QueueEnvelope envelope;
	if (!_queue.load(id, envelope)) return Next{};
	// Streamed from the queue file, never whole in memory; Return-Path: is for final
	// delivery only (RFC 5321 4.4), so RelayMessage drops one a client (or a queue
	// written by an older version) put in.
	RelayMessage message(_queue.open(envelope));
	const MessageIds ids{id, _context.events->enabled() ? messageIdIn(message.header()) : std::string()};
	const bool anyPending = std::any_of(envelope.recipients.begin(), envelope.recipients.end(),
		[](const QueuedRecipient& r) { return r.state == RecipientState::Pending; });

	bool attempted = false, waiting = false;
	std::optional<Clock::time_point> deadUntil;
	if (anyPending)
	{
		const std::size_t hops = countHeader(message.header(), "Received");
		if (hops > _context.server.relay.maxHops)
		{
			++envelope.attempts;
			attempted = true;
			failPending(envelope, ids, "5.4.6", "mail forwarding loop: " + std::to_string(hops) + " Received: headers, more than relay.max_hops=" + std::to_string(_context.server.relay.maxHops));
		}
		else
		{
			std::map<std::string, std::vector<std::size_t>> byDomain;
			for (std::size_t i = 0; i < envelope.recipients.size(); ++i)
			{
				if (envelope.recipients[i].state == RecipientState::Pending)
					byDomain[Poco::toLower(domainOf(envelope.recipients[i].address))].push_back(i);
			}
			for (const auto& [domain, indices]: byDomain)
			{
				if (_context.stopping) break;
				Clock::time_point until;
				const DestinationGate::Admission admission = _gate.enter(domain, id, until);
				if (admission == DestinationGate::Admission::Dead)
				{
					deadUntil = deadUntil ? std::min(*deadUntil, until) : until;
					continue;
				}
				if (admission == DestinationGate::Admission::Busy)
				{
					// Queued at this destination; one queue at a time, so a hand-back is never lost.
					waiting = true;
					break;
				}
				// Record each domain's outcome before the next one, so a crash does not send
				// it twice; after the last one the update (or removal) below records it.
				if (attempted) _queue.update(envelope);
				else ++envelope.attempts;
				attempted = true;
				DestinationGate::Verdict verdict = DestinationGate::Verdict::Unknown;
				try
				{
					verdict = sendDomain(envelope, ids, domain, indices, message);
				}
				catch (...)
				{
					resume(_gate.leave(domain, verdict));
					throw;
				}
				resume(_gate.leave(domain, verdict));
			}
		}
		const std::int64_t now = epochSeconds();
		if (!_context.stopping && _policy.expired(envelope.arrival, now))
		{
			failPending(envelope, ids, "4.4.7", "delivery time expired (relay.expire) after " + std::to_string(envelope.attempts) + " attempts");
			attempted = true;
		}
	}

	bounce(envelope, ids, message.header());
	if (envelope.finished())
	{
		_queue.remove(id);
		_log.information("%s relay removed reason=finished attempts=%u", id, envelope.attempts);
		return Next{};
	}
	if (!attempted && anyPending)
	{
		// Nothing was tried (every destination dead or busy): the envelope is unchanged.
		if (waiting) return Next{Next::Kind::Waiting, {}};
		if (deadUntil) return Next{Next::Kind::At, *deadUntil};
	}
	const std::int64_t now = epochSeconds();
	envelope.nextAttempt = _policy.nextAttempt(envelope.arrival, envelope.attempts, now);
	_queue.update(envelope);
	if (waiting) return Next{Next::Kind::Waiting, {}};
	Clock::time_point at = Clock::now() + std::chrono::seconds(envelope.nextAttempt - now);
	if (deadUntil) at = std::min(at, *deadUntil);
	return Next{Next::Kind::At, at};
}


DestinationGate::Verdict RelayService::sendDomain(QueueEnvelope& envelope, const MessageIds& ids,
	const std::string& domain, const std::vector<std::size_t>& indices, RelayMessage& message)
{
	const LookupEvents lookup(_dnsCache, *_context.events, ids);
	const Route route = _router.route(domain, lookup);
	if (route.status != RouteStatus::Ok)
	{
		const bool permanent = route.status == RouteStatus::Permanent;
		for (std::size_t i: indices)
		{
			QueuedRecipient& r = envelope.recipients[i];
			r.state = permanent ? RecipientState::Failed : RecipientState::Pending;
			r.status = route.status3463;
			r.remoteMta.clear();
			r.diagnostic = route.diagnostic;
			recordRecipient(*_context.events, ids, r, _policy.nextAttempt(envelope.arrival, envelope.attempts, epochSeconds()));
			_log.warning("%s relay %s to=%s status=%s reason=%s", envelope.id,
				std::string(permanent ? "bounced" : "deferred"), logPath(r.address), r.status, quoteForLog(r.diagnostic));
		}
		return DestinationGate::Verdict::Unknown;
	}

	std::vector<std::string> recipients;
	recipients.reserve(indices.size());
	for (std::size_t i: indices) recipients.push_back(envelope.recipients[i].address);
	TransactionResult result;
	const Exchanger* used = nullptr;
	for (const auto& exchanger: route.exchangers)
	{
		if (_context.stopping) break;
		used = &exchanger;
		const Poco::Timestamp started;
		result = _client.send(exchanger, envelope.sender, recipients, message);
		recordRelayAttempt(*_context.events, ids, recipients, exchanger, result, started);
		if (!result.tryNext) break;
		_log.warning("%s relay exchanger-unusable relay=%s reason=%s", envelope.id, exchanger.describe(),
			quoteForLog(result.recipients.front().reply));
	}
	if (!used) return DestinationGate::Verdict::Unknown; // stopping before any try

	const double delay = static_cast<double>(epochSeconds() - envelope.arrival);
	for (const std::size_t index: indices)
	{
		QueuedRecipient& r = envelope.recipients[index];
		const RecipientResult* found = result.find(r.address);
		if (!found) continue;
		const RecipientResult& res = *found;
		r.status = res.status;
		r.diagnostic = res.reply;
		r.remoteMta = res.remote ? used->host : std::string();
		switch (res.outcome)
		{
		case Outcome::Delivered:
			r.state = RecipientState::Delivered;
			_log.information("%s relay delivered to=%s relay=%s delay=%.0f attempts=%u status=%s tls=%s reply=%s", envelope.id,
				logPath(r.address), used->describe(), delay, envelope.attempts, r.status, quoteForLog(result.tls.empty() ? "none" : result.tls),
				quoteForLog(res.reply));
			break;
		case Outcome::Permanent:
			r.state = RecipientState::Failed;
			_log.warning("%s relay bounced to=%s relay=%s status=%s reply=%s", envelope.id, logPath(r.address),
				used->describe(), r.status, quoteForLog(res.reply));
			break;
		case Outcome::Temporary:
			_log.warning("%s relay deferred to=%s relay=%s attempts=%u status=%s reason=%s", envelope.id,
				logPath(r.address), used->describe(), envelope.attempts, r.status, quoteForLog(res.reply));
			break;
		}
		recordRecipient(*_context.events, ids, r, _policy.nextAttempt(envelope.arrival, envelope.attempts, epochSeconds()));
	}
	// Every exchanger failed before a usable greeting: the destination is down, and its
	// other messages wait out the dead time with this one instead of each trying again.
	if (result.tryNext && !_context.stopping) return DestinationGate::Verdict::Unreachable;
	return DestinationGate::Verdict::Reached;
}


} // namespace mail
