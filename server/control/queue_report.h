// queue_report.h - what `mail-server -n NAME queue [--json]` prints (like Postfix's mailq).
#pragma once

#include "server/store/queue/relay_queue.h"
#include "server/relay/relay_service.h"

#include <string>
#include <vector>


namespace mail {


struct QueueReportEntry
/// One queued message with what the schedule knows of it.
{
	QueueEnvelope envelope;
	std::uint64_t size = 0; ///< octets of the queued message
	bool sending = false;   ///< a worker is attempting it now
	std::int64_t next = 0;  ///< unix seconds of the next attempt (0: none scheduled)
};


std::vector<QueueReportEntry> queueReport(const RelayQueue& queue, const std::vector<ScheduledEntry>& schedule);
///< RelayQueue::list() joined with RelayService::scheduleSnapshot(), oldest first.

std::string formatQueueText(const std::vector<QueueReportEntry>& entries);
///< One header line per message (id, size, arrival, sender, state), then one line per
///  recipient: state, attempts, next attempt in local time, last status and reply.

std::string formatQueueJson(const std::vector<QueueReportEntry>& entries);
///< {"messages": [{"id", "sender", "arrival", "size", "attempts", "state", "next_attempt",
///  "recipients": [{"address", "state", "status", "remote_mta", "reply"}]}]}; times are
///  local ISO 8601 with offset.


} // namespace mail
