// fault_hook.cpp - evaluate and log, delay, stall: the session-independent half of a fault.
#include "server/faults/fault_hook.h"

#include <Poco/Thread.h>
#include <Poco/Timestamp.h>


namespace mail {


namespace {


constexpr long kStopPollMillis = 100; ///< how soon a delayed session sees shutdown
constexpr std::size_t kStallLine = 4096;


} // namespace


std::optional<FaultHit> fireFault(FaultRules& rules, const FaultQuery& query, SessionIo& io,
	const std::atomic<bool>& stopping, Poco::Logger& log, MailEvents& events)
{
	std::optional<FaultHit> hit = rules.evaluate(query);
	if (!hit) return hit;
	log.warning("%s fault fired stage=%s rule=%z action=%s", io.id(), std::string(toString(query.stage)), hit->rule,
		std::string(toString(hit->action)));
	if (events.enabled())
		events.faultFired(FaultEvent{io.id(), toString(query.stage), hit->rule, toString(hit->action), query.client,
			query.sender, query.recipients});
	if (hit->action != FaultAction::Delay) return hit;
	io.flush();
	const Poco::Timestamp start;
	const Poco::Timestamp::TimeDiff total = static_cast<Poco::Timestamp::TimeDiff>(hit->delay.count()) * 1000000;
	while (!stopping && !start.isElapsed(total))
	{
		const long left = static_cast<long>((total - start.elapsed()) / 1000);
		Poco::Thread::sleep(std::max(1L, std::min(left, kStopPollMillis)));
	}
	return std::nullopt;
}


std::optional<FaultHit> fireMailboxFault(const ServerContext& context, FaultStage stage, const std::string& client,
	const std::string& user, SessionIo& io, Poco::Logger& log)
{
	FaultQuery query;
	query.stage = stage;
	query.client = client;
	query.recipients = {user};
	return fireFault(*context.faults, query, io, context.stopping, log, *context.events);
}


StallEnd holdStalled(SessionIo& io, Seconds idleTimeout, Seconds maxSessionTime)
{
	io.flush();
	const Poco::Timespan timeout = io.commandDeadline(idleTimeout, maxSessionTime);
	const Poco::Timestamp start;
	std::string discarded;
	while (true)
	{
		const Poco::Timespan left = timeout - Poco::Timespan(start.elapsed());
		if (left <= 0) break;
		const ReadStatus status = io.readLine(discarded, kStallLine, left);
		if (status == ReadStatus::Closed) return StallEnd::ClientLeft;
		if (status == ReadStatus::Timeout) break;
	}
	return io.lifetimeLeft(maxSessionTime) > 0 ? StallEnd::TimedOut : StallEnd::LifetimeUsed;
}


} // namespace mail
