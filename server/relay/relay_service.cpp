// relay_service.cpp - the relay worker pool: what it is built from, its start (restart recovery) and stop.
//
// The pool's jobs are in their own files: relay_schedule.cpp (which message is due, the
// workers' loop, the gate's hand-backs), relay_attempt.cpp (one delivery attempt and the
// recipients' outcomes), relay_bounce.cpp (failing recipients, the DSN to the sender) and
// relay_service_ops.cpp (the operator's queue actions).
#include "server/relay/relay_service.h"

#include <algorithm>

using Poco::Thread;


namespace mail {


namespace {


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


} // namespace mail
