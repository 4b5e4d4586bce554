// dns_resolver.cpp - client for mail-dns: MX, P (port), A and SRV queries over UDP, TCP after TC, with failover.
#include "common/lookup/dns_resolver.h"

#include "common/dns/dns_message.h"
#include "common/dns/dns_resolver_tcp.h"

#include <Poco/Exception.h>
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <atomic>
#include <random>


using Poco::Net::DatagramSocket;
using Poco::Net::SocketAddress;


namespace mail {


namespace {


std::uint16_t randomId()
{
	thread_local std::mt19937 generator{std::random_device{}()};
	return static_cast<std::uint16_t>(std::uniform_int_distribution<unsigned>(0, 0xFFFF)(generator));
}


constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint32_t kNegativeTtl = 60; ///< a negative answer without an SOA is cached this long


struct Reply
{
	LookupStatus status = LookupStatus::Timeout;
	std::uint32_t ttl = 0;
	std::vector<dns::ResourceRecord> records; ///< answers of the asked name and type
};


enum class Match
{
	Stray,
	Malformed,
	Ours
};


Match matchReply(const std::uint8_t* data, std::size_t size, std::uint16_t id, const std::string& name,
	std::uint16_t type, dns::Message& message)
/// Ours when ID, QR and the question match; Stray for anything else that is not ours.
{
	if (size < dns::HeaderSize || ((data[0] << 8) | data[1]) != id || !(data[2] & 0x80)) return Match::Stray;
	try
	{
		message = dns::decodeMessage(data, size);
	}
	catch (const dns::WireFormatError&)
	{
		return Match::Malformed;
	}
	if (message.header.qdCount != 1) return Match::Stray;
	const dns::Question& q = message.questions.front();
	if (!dns::equalNames(q.name, name) || q.type != type || q.klass != dns::ClassIn) return Match::Stray;
	return Match::Ours;
}


std::uint32_t negativeTtl(const dns::Message& message)
/// RFC 2308 5: the SOA's TTL capped by its MINIMUM field; without an SOA, kNegativeTtl.
{
	for (const auto& rr: message.authority)
	{
		if (rr.type != kTypeSoa || rr.rdata.size() < 4) continue;
		const auto& d = rr.rdata;
		const std::size_t n = d.size();
		const std::uint32_t minimum = (std::uint32_t(d[n - 4]) << 24) | (std::uint32_t(d[n - 3]) << 16) | (std::uint32_t(d[n - 2]) << 8) | d[n - 1];
		return std::min(rr.ttl, minimum);
	}
	return kNegativeTtl;
}


std::size_t fixedRdataSize(std::uint16_t type)
/// The RDATA size every record of type has (A: 4, P: 2); 0 for the other types.
{
	if (type == dns::TypeA) return 4;
	if (type == dns::TypeP) return 2;
	return 0;
}


Reply classify(const dns::Message& message, const std::string& name, std::uint16_t type)
{
	Reply reply;
	if (message.header.flags & dns::FlagTc)
	{
		reply.status = LookupStatus::Failure; // still cut short (over TCP too): unusable
		return reply;
	}
	switch (message.header.rcode())
	{
	case dns::RcodeNoError:
		for (const auto& rr: message.answers)
			if (rr.type == type && rr.klass == dns::ClassIn && dns::equalNames(rr.name, name)) reply.records.push_back(rr);
		// A and P records have a fixed size (4 octets, 2): one of another size is a broken
		// reply, never read past its end (a()/port() read those octets as they are).
		for (const auto& rr: reply.records)
		{
			if (fixedRdataSize(type) != 0 && rr.rdata.size() != fixedRdataSize(type))
			{
				reply.records.clear();
				reply.status = LookupStatus::Failure;
				return reply;
			}
		}
		reply.status = reply.records.empty() ? LookupStatus::NoData : LookupStatus::Ok;
		reply.ttl = reply.records.empty() ? negativeTtl(message) : reply.records.front().ttl;
		for (const auto& rr: reply.records) reply.ttl = std::min(reply.ttl, rr.ttl);
		break;
	case dns::RcodeNxDomain:
		reply.status = LookupStatus::NxDomain;
		reply.ttl = negativeTtl(message);
		break;
	default:
		reply.status = LookupStatus::Failure;
	}
	return reply;
}


enum class Outcome
{
	Answered, ///< a usable reply (records, NODATA or NXDOMAIN)
	Failed,   ///< a reply that says this server cannot help (SERVFAIL, malformed, ...): ask the next, not again
	Silent    ///< nothing (or a refused port) within the timeout: ask the next, and again in the next round
};


Outcome overTcp(const SocketAddress& server, const std::vector<std::uint8_t>& request, std::chrono::milliseconds timeout,
	std::uint16_t id, const std::string& name, std::uint16_t type, Reply& reply)
/// The same query again over TCP after a reply with TC (RFC 7766 5).
{
	std::vector<std::uint8_t> bytes;
	const TcpExchange exchange = tcpExchange(server, request, timeout, bytes);
	if (exchange == TcpExchange::Refused || exchange == TcpExchange::Timeout) return Outcome::Silent;
	dns::Message message;
	if (exchange != TcpExchange::Replied || matchReply(bytes.data(), bytes.size(), id, name, type, message) != Match::Ours)
		return Outcome::Failed;
	reply = classify(message, name, type);
	return reply.status == LookupStatus::Failure ? Outcome::Failed : Outcome::Answered;
}


Outcome ask(const SocketAddress& server, std::vector<std::uint8_t>& request, std::chrono::milliseconds timeout,
	const std::string& name, std::uint16_t type, Reply& reply)
/// One attempt at one server over UDP (then TCP if the reply was truncated).
{
	const std::uint16_t id = randomId();
	request[0] = static_cast<std::uint8_t>(id >> 8);
	request[1] = static_cast<std::uint8_t>(id);
	// Connected, so that the kernel drops datagrams from elsewhere and reports a closed port.
	DatagramSocket socket(server.family());
	socket.connect(server);
	std::uint8_t buffer[dns::EdnsUdpSize * 4];
	const auto deadline = std::chrono::steady_clock::now() + timeout;
	try
	{
		socket.sendBytes(request.data(), static_cast<int>(request.size()));
		for (;;)
		{
			const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
			if (left.count() <= 0) return Outcome::Silent;
			if (!socket.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ)) continue;
			const int size = socket.receiveBytes(buffer, sizeof buffer);
			if (size < 0) continue;
			dns::Message message;
			switch (matchReply(buffer, static_cast<std::size_t>(size), id, name, type, message))
			{
			case Match::Stray:
				continue;
			case Match::Malformed:
				reply.status = LookupStatus::Failure;
				return Outcome::Failed;
			case Match::Ours:
				if (message.header.flags & dns::FlagTc) return overTcp(server, request, timeout, id, name, type, reply);
				reply = classify(message, name, type);
				return reply.status == LookupStatus::Failure ? Outcome::Failed : Outcome::Answered;
			}
		}
	}
	catch (const Poco::Exception&)
	{
		return Outcome::Silent; // ICMP port unreachable: nobody serves DNS there
	}
}


Reply query(const std::vector<SocketAddress>& servers, std::atomic<std::size_t>& preferred,
	std::chrono::milliseconds timeout, unsigned retries, const std::string& name, std::uint16_t type)
/// Each round asks the servers in order (each with its own timeout) until one answers,
/// starting with the one that answered last (preferred); a server that replied with a
/// failure is not asked again.
{
	Reply reply;
	std::vector<std::uint8_t> request;
	try
	{
		request = dns::encodeQuery(0, name, type, true);
	}
	catch (const dns::WireFormatError&)
	{
		reply.status = LookupStatus::Failure; // not a valid domain name: nothing to ask
		return reply;
	}
	if (servers.empty())
	{
		reply.status = LookupStatus::Failure; // nobody to ask
		return reply;
	}
	std::vector<bool> failed(servers.size(), false);
	bool anyFailed = false;
	const std::size_t first = preferred.load(std::memory_order_relaxed) % servers.size();
	for (unsigned attempt = 0; attempt <= retries; ++attempt)
	{
		for (std::size_t n = 0; n < servers.size(); ++n)
		{
			// The preferred one first, then the others in configured order.
			const std::size_t i = n == 0 ? first : (n <= first ? n - 1 : n);
			if (failed[i]) continue;
			Reply answer;
			const Outcome outcome = ask(servers[i], request, timeout, name, type, answer);
			if (outcome == Outcome::Answered)
			{
				preferred.store(i, std::memory_order_relaxed);
				return answer;
			}
			if (outcome == Outcome::Failed) failed[i] = anyFailed = true;
		}
	}
	reply.status = anyFailed ? LookupStatus::Failure : LookupStatus::Timeout;
	return reply;
}


template <typename T, typename Parse>
LookupResult<std::vector<T>> recordsOf(const Reply& reply, Parse parse)
/// The reply's status and TTL, and each of its records as parse(rdata, value) reads it (a
/// record parse() returns false for is left out).
{
	LookupResult<std::vector<T>> result;
	result.status = reply.status;
	result.ttl = reply.ttl;
	for (const auto& rr: reply.records)
	{
		T value{};
		if (parse(rr.rdata, value)) result.value.push_back(value);
	}
	return result;
}

} // namespace


Resolver::Resolver(const std::string& serverHost, std::uint16_t serverPort, std::chrono::milliseconds timeout, unsigned retries):
	Resolver(std::vector<DnsServerAddress>{DnsServerAddress{serverHost, serverPort}}, timeout, retries)
{
}


Resolver::Resolver(const std::vector<DnsServerAddress>& servers, std::chrono::milliseconds timeout, unsigned retries):
	_timeout(timeout),
	_retries(retries),
	_preferred(std::make_shared<std::atomic<std::size_t>>(0))
{
	for (const auto& server: servers) _servers.emplace_back(server.host, server.port);
}


LookupResult<std::vector<MxRecord>> Resolver::mx(const std::string& name) const
{
	auto result = recordsOf<MxRecord>(query(_servers, *_preferred, _timeout, _retries, name, dns::TypeMx),
		[](const auto& rdata, MxRecord& mx) {
			dns::WireReader reader(rdata.data(), rdata.size());
			dns::WireName host;
			reader.u16(mx.preference);
			reader.name(host);
			mx.host = normalizeName(host.toDotted());
			return true;
		});
	std::stable_sort(result.value.begin(), result.value.end(),
		[](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
	return result;
}


LookupResult<std::uint16_t> Resolver::port(const std::string& name) const
{
	const Reply reply = query(_servers, *_preferred, _timeout, _retries, name, dns::TypeP);
	LookupResult<std::uint16_t> result;
	result.status = reply.status;
	result.ttl = reply.ttl;
	if (result.ok())
	{
		const auto& rdata = reply.records.front().rdata;
		result.value = static_cast<std::uint16_t>((rdata[0] << 8) | rdata[1]);
	}
	return result;
}


LookupResult<std::vector<std::uint32_t>> Resolver::a(const std::string& name) const
{
	return recordsOf<std::uint32_t>(query(_servers, *_preferred, _timeout, _retries, name, dns::TypeA),
		[](const auto& d, std::uint32_t& address) {
			address = (std::uint32_t(d[0]) << 24) | (std::uint32_t(d[1]) << 16) | (std::uint32_t(d[2]) << 8) | d[3];
			return true;
		});
}


LookupResult<std::vector<SrvRecord>> Resolver::srv(const std::string& name) const
{
	auto result = recordsOf<SrvRecord>(query(_servers, *_preferred, _timeout, _retries, name, dns::TypeSrv),
		[](const auto& rdata, SrvRecord& record) {
			dns::WireReader reader(rdata.data(), rdata.size());
			dns::WireName target;
			if (!reader.u16(record.priority) || !reader.u16(record.weight) || !reader.u16(record.port) || !reader.name(target))
				return false; // a short record names no server
			record.target = normalizeName(target.toDotted());
			return true;
		});
	if (result.ok() && result.value.empty()) result.status = LookupStatus::Failure;
	std::stable_sort(result.value.begin(), result.value.end(),
		[](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
	return result;
}


} // namespace mail
