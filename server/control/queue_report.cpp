// queue_report.cpp - what `mail-server -n NAME queue [--json]` prints (like Postfix's mailq).
#include "server/control/queue_report.h"

#include "common/journal/journal_event.h"

#include <Poco/File.h>
#include <Poco/LocalDateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>


namespace mail {


namespace {


std::string localTime(std::int64_t seconds)
{
	if (seconds <= 0) return "";
	const Poco::LocalDateTime local(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(seconds)));
	return Poco::DateTimeFormatter::format(local, "%Y-%m-%dT%H:%M:%S%z");
}


std::string stateOf(const QueueReportEntry& entry)
{
	if (entry.envelope.held) return "held";
	if (entry.sending) return "sending";
	return "waiting";
}


} // namespace


std::vector<QueueReportEntry> queueReport(const RelayQueue& queue, const std::vector<ScheduledEntry>& schedule)
{
	std::map<std::string, const ScheduledEntry*> byId;
	for (const auto& s: schedule) byId[s.id] = &s;
	std::vector<QueueReportEntry> entries;
	for (auto& envelope: queue.list())
	{
		QueueReportEntry entry;
		entry.envelope = envelope;
		// The wire size the entry records; an old version 1 envelope recorded none: its .msg's.
		Poco::File message(queue.directory() + "/" + envelope.id + ".msg");
		entry.size = envelope.size >= 0 ? static_cast<std::uint64_t>(envelope.size) : message.exists() ? message.getSize()
																									   : 0;
		const auto found = byId.find(envelope.id);
		if (found != byId.end())
		{
			entry.sending = found->second->inProgress;
			// A retry asked for "now" is due at the epoch: show it as now.
			if (!entry.sending)
				entry.next = std::max<std::int64_t>(Poco::Timestamp().epochTime(),
					std::chrono::duration_cast<std::chrono::seconds>(found->second->due.time_since_epoch()).count());
		}
		else if (!envelope.held) entry.next = envelope.nextAttempt;
		entries.push_back(std::move(entry));
	}
	return entries;
}


std::string formatQueueText(const std::vector<QueueReportEntry>& entries)
{
	std::ostringstream out;
	if (entries.empty()) return "Mail queue is empty\n";
	out << "-Queue ID-          --Size-- ----Arrival Time--------- -State-- -Sender/Recipient-------\n";
	for (const auto& e: entries)
	{
		char line[256];
		std::snprintf(line, sizeof line, "%-19s %8llu %-25s %-8s ", e.envelope.id.c_str(),
			static_cast<unsigned long long>(e.size), localTime(e.envelope.arrival).c_str(), stateOf(e).c_str());
		out << line << "<" << e.envelope.sender << ">\n";
		for (const auto& r: e.envelope.recipients)
		{
			out << "    <" << r.address << "> " << toString(r.state) << " attempts=" << e.envelope.attempts;
			if (r.state == RecipientState::Pending)
			{
				if (e.envelope.held) out << " next=held";
				else if (e.sending) out << " next=now";
				else out << " next=" << localTime(e.next);
			}
			if (!r.status.empty()) out << " status=" << r.status;
			if (!r.diagnostic.empty()) out << " reply=\"" << r.diagnostic << "\"";
			out << "\n";
		}
	}
	out << "-- " << entries.size() << (entries.size() == 1 ? " message" : " messages") << " in the queue\n";
	return out.str();
}


std::string formatQueueJson(const std::vector<QueueReportEntry>& entries)
{
	std::ostringstream out;
	out << "{\"messages\":[";
	for (std::size_t i = 0; i < entries.size(); ++i)
	{
		const QueueReportEntry& e = entries[i];
		out << (i ? "," : "") << "{\"id\":" << jsonString(e.envelope.id) << ",\"sender\":" << jsonString(e.envelope.sender)
			<< ",\"arrival\":" << jsonString(localTime(e.envelope.arrival)) << ",\"size\":" << e.size
			<< ",\"attempts\":" << e.envelope.attempts << ",\"state\":" << jsonString(stateOf(e))
			<< ",\"next_attempt\":" << (e.next > 0 ? jsonString(localTime(e.next)) : "null") << ",\"recipients\":[";
		for (std::size_t k = 0; k < e.envelope.recipients.size(); ++k)
		{
			const QueuedRecipient& r = e.envelope.recipients[k];
			out << (k ? "," : "") << "{\"address\":" << jsonString(r.address) << ",\"state\":" << jsonString(toString(r.state))
				<< ",\"status\":" << jsonString(r.status) << ",\"remote_mta\":" << jsonString(r.remoteMta)
				<< ",\"reply\":" << jsonString(r.diagnostic) << "}";
		}
		out << "]}";
	}
	out << "]}\n";
	return out.str();
}


} // namespace mail
