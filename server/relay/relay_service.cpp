// relay_service.cpp - relay worker pool: schedule, delivery attempts, recipient states, bounces.
#include "server/relay/relay_service.h"

#include "common/ops/log.h"
#include "common/mail/mail_address.h"
#include "server/mail/delivery.h"
#include "server/message/message_id.h"
#include "server/relay/relay_events.h"
#include "server/message/message_headers.h"
#include "server/relay/dsn_builder.h"
#include "server/relay/lookup_events.h"
#include "server/relay/relay_message.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>

using Poco::Thread;


namespace mail {


namespace {


std::int64_t nowSeconds()
{
	return Poco::Timestamp().epochTime();
}


std::chrono::milliseconds resolverTimeout(const RelayConfig& relay)
/// One mail-dns query attempt may take at most a second, or less if commands are faster.
{
	return std::min<std::chrono::milliseconds>(std::chrono::seconds(1), relay.commandTimeout);
}


} // namespace


RelayService::RelayService(ServerContext& context, RelayQueue& queue, Delivery& delivery):
	_context(context),
	_queue(queue),
	_delivery(delivery),
	_log(Poco::Logger::get("relay")),
	_resolver(context.config.dns.servers(), resolverTimeout(context.server.relay)),
	_dnsCache(_resolver),
	_router(_dnsCache, context.server.address, context.server.smtp),
	_client(context.server.name, context.server.relay.connectTimeout, context.server.relay.commandTimeout,
		context.server.relay.connectionCacheTime, context.server.relay.maxMessagesPerConnection,
		makeRelayTlsPolicy(context.server.relay.tls, context.server.tls.ca)),
	_policy(context.server.relay),
	_gate(context.server.relay.destinationConcurrency,
		[this](unsigned failures) { return std::chrono::duration_cast<Clock::duration>(_policy.delayAfter(failures)); })
{
}


RelayService::~RelayService()
{
	stop();
}


void RelayService::start()
{
	_queue.setListener([this](const QueueEnvelope& envelope) { schedule(envelope.id, Clock::time_point()); });
	const std::vector<QueueEnvelope> queued = _queue.scan();
	for (const auto& envelope: queued)
	{
		if (envelope.held) _log.information("%s relay held (queue release ID to send it)", envelope.id);
		else schedule(envelope.id, Clock::from_time_t(static_cast<std::time_t>(envelope.nextAttempt)));
	}
	_log.information("- relay started workers=%u queued=%z", _context.server.relay.workers, queued.size());
	for (unsigned i = 0; i < _context.server.relay.workers; ++i)
	{
		auto thread = std::make_unique<Thread>("relay-" + std::to_string(i));
		thread->startFunc([this] { work(); });
		_workers.push_back(std::move(thread));
	}
}


void RelayService::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stop && _workers.empty()) return;
		_stop = true;
	}
	_wake.notify_all();
	_client.abortAll();
	for (auto& thread: _workers) thread->join();
	_workers.clear();
}


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
		const std::int64_t now = nowSeconds();
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
	const std::int64_t now = nowSeconds();
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
			recordRecipient(*_context.events, ids, r, _policy.nextAttempt(envelope.arrival, envelope.attempts, nowSeconds()));
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

	const double delay = static_cast<double>(nowSeconds() - envelope.arrival);
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
		recordRecipient(*_context.events, ids, r, _policy.nextAttempt(envelope.arrival, envelope.attempts, nowSeconds()));
	}
	// Every exchanger failed before a usable greeting: the destination is down, and its
	// other messages wait out the dead time with this one instead of each trying again.
	if (result.tryNext && !_context.stopping) return DestinationGate::Verdict::Unreachable;
	return DestinationGate::Verdict::Reached;
}


void RelayService::failPending(QueueEnvelope& envelope, const MessageIds& ids, const std::string& status,
	const std::string& why)
{
	for (auto& r: envelope.recipients)
	{
		if (r.state != RecipientState::Pending) continue;
		r.state = RecipientState::Failed;
		r.status = status;
		r.diagnostic = why + (r.diagnostic.empty() ? "" : "; last error: " + r.diagnostic);
		r.remoteMta.clear();
		recordRecipient(*_context.events, ids, r, 0);
		_log.warning("%s relay bounced to=%s status=%s reason=%s", envelope.id, logPath(r.address), status, quoteForLog(why));
	}
}


void RelayService::bounce(QueueEnvelope& envelope, const MessageIds& ids, const std::string& header)
{
	DsnReport report;
	for (const auto& r: envelope.recipients)
	{
		if (r.state == RecipientState::Failed) report.recipients.push_back(r);
	}
	if (report.recipients.empty()) return;

	if (envelope.sender.empty())
	{
		// RFC 5321 6.1: never a bounce for a bounce.
		_log.warning("%s relay dsn-dropped reason=null-sender failed=%z", envelope.id, report.recipients.size());
	}
	else
	{
		const DeliveryRoute route = _delivery.route(envelope.sender);
		const std::string account = route.kind == DeliveryRoute::Kind::Local ? route.account : std::string();
		report.reportingMta = _context.server.name;
		report.queueId = envelope.id;
		report.sender = envelope.sender;
		report.fromDomain = !account.empty()   ? Poco::toLower(domainOf(account))
			: !_context.server.domains.empty() ? _context.server.domains.front()
											   : _context.server.name;
		report.arrival = envelope.arrival;
		// A null reverse-path: the sender's Maildir gets "Return-Path: <>", a queued bounce
		// goes out with MAIL FROM:<>.
		DeliveryResult sent;
		bool dropped = false;
		try
		{
			const std::string dsn = buildDsn(report, header, nowSeconds());
			sent = _delivery.deliver("", {envelope.sender}, dsn);
			recordDsn(*_context.events, ids, envelope.sender, dsn);
		}
		catch (const Poco::Exception& exc)
		{
			// Retried at the next attempt, but never past relay.expire: a report that cannot
			// be stored by then is dropped, so no message outlives its expiry.
			if (!_policy.expired(envelope.arrival, nowSeconds())) throw;
			_log.error("%s relay dsn-dropped reason=expired to=%s failed=%z error=%s", envelope.id, logPath(envelope.sender),
				report.recipients.size(), exc.displayText());
			dropped = true;
		}
		if (!dropped && !account.empty())
		{
			_log.information("%s relay dsn-delivered to=%s id=%s failed=%z", envelope.id, logPath(account), sent.id,
				report.recipients.size());
		}
		else if (!dropped)
		{
			_log.information("%s relay dsn-queued to=%s id=%s failed=%z", envelope.id, logPath(envelope.sender), sent.id,
				report.recipients.size());
		}
	}
	for (auto& r: envelope.recipients)
	{
		if (r.state == RecipientState::Failed) r.state = RecipientState::Bounced;
	}
	_queue.update(envelope);
}


} // namespace mail
