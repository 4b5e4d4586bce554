// query_journal.cpp - decoding a sent reply into a dns.query event, at most kPerSecond per thread.
#include "dns/query_journal.h"
#include "common/journal/event_catalogue.h"

#include "common/dns/dns_message.h"
#include "common/base/ipv4.h"

#include <Poco/Net/SocketAddress.h>

#include <arpa/inet.h>

#include <ctime>


namespace mail {
namespace dns {


namespace {


struct Bucket
{
	std::time_t second = 0;
	unsigned used = 0;
};

thread_local Bucket tBucket;


std::size_t take(std::size_t wanted)
/// How many of `wanted` records this thread's bucket allows this second.
{
	timespec now{};
	::clock_gettime(CLOCK_REALTIME_COARSE, &now); // a few ns: no system call
	if (now.tv_sec != tBucket.second)
	{
		tBucket.second = now.tv_sec;
		tBucket.used = 0;
	}
	const std::size_t room = tBucket.used < QueryJournal::kPerSecond ? QueryJournal::kPerSecond - tBucket.used : 0;
	const std::size_t allowed = wanted < room ? wanted : room;
	tBucket.used += static_cast<unsigned>(allowed);
	return allowed;
}


const char* typeName(std::uint16_t type)
{
	switch (type)
	{
	case TypeA: return "A";
	case TypeMx: return "MX";
	case TypeP: return "P";
	case TypeAny: return "ANY";
	default: return "other";
	}
}


const char* rcodeName(std::uint8_t rcode)
{
	switch (rcode)
	{
	case RcodeNoError: return "NOERROR";
	case RcodeFormErr: return "FORMERR";
	case RcodeServFail: return "SERVFAIL";
	case RcodeNxDomain: return "NXDOMAIN";
	case RcodeNotImp: return "NOTIMP";
	case RcodeRefused: return "REFUSED";
	default: return "other";
	}
}


std::string rdataText(const ResourceRecord& rr)
{
	if (rr.type == TypeA && rr.rdata.size() == 4)
		return formatIpv4((std::uint32_t(rr.rdata[0]) << 24) | (std::uint32_t(rr.rdata[1]) << 16) | (std::uint32_t(rr.rdata[2]) << 8) | rr.rdata[3]);
	if (rr.type == TypeP && rr.rdata.size() == 2) return std::to_string((rr.rdata[0] << 8) | rr.rdata[1]);
	if (rr.type == TypeMx && rr.rdata.size() > 2)
	{
		WireReader reader(rr.rdata.data(), rr.rdata.size());
		std::uint16_t preference = 0;
		WireName exchange;
		if (reader.u16(preference) && reader.name(exchange)) return std::to_string(preference) + " " + exchange.toDotted();
	}
	return "(" + std::to_string(rr.rdata.size()) + " octets)";
}


} // namespace


QueryJournal::QueryJournal(Journal& journal):
	_journal(journal)
{
}


void QueryJournal::record(const std::uint8_t* reply, std::size_t length, const sockaddr_storage& client, const char* transport)
{
	if (admit(1) == 1) recordAdmitted(reply, length, client, transport);
}


std::size_t QueryJournal::admit(std::size_t replies)
{
	const std::size_t allowed = take(replies);
	if (allowed < replies) _sampledOut.fetch_add(replies - allowed, std::memory_order_relaxed);
	return allowed;
}


void QueryJournal::recordAdmitted(const std::uint8_t* reply, std::size_t length, const sockaddr_storage& client,
	const char* transport)
{
	JournalEvent event(events::kDnsQuery);
	const socklen_t size = client.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
	event.str("client", Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&client), size).toString());
	try
	{
		const Message message = decodeMessage(reply, length);
		event.str("name", message.questions.empty() ? std::string() : message.questions.front().name);
		event.str("qtype", message.questions.empty() ? "" : typeName(message.questions.front().type));
		event.str("rcode", rcodeName(message.header.rcode()));
		std::vector<std::string> answers;
		for (const ResourceRecord& rr: message.answers) answers.push_back(rdataText(rr));
		event.list("answer", answers);
	}
	catch (const std::exception&)
	{
		event.str("rcode", "undecodable");
	}
	event.str("transport", transport);
	_journal.record(event);
}


} // namespace dns
} // namespace mail
