// tracer.cpp - traceroute with ICMP echo requests and increasing TTL.
#include "agent/icmp/tracer.h"

#include "agent/host_lookup.h"
#include "agent/icmp/icmp_probe.h"
#include "agent/icmp/pinger.h"

#include <cstdio>


using Poco::Net::IPAddress;


namespace mail {


int trace(IcmpSocket& socket, const std::string& host, const IPAddress& address,
	const TraceOptions& options, std::ostream& out)
{
	IcmpProbe probe(socket, address, options.payloadSize);
	out << "trace to " << host << " (" << address.toString() << "), " << options.maxHops
		<< " hops max (" << socket.kind() << " ICMP socket)" << std::endl;
	for (unsigned hop = 1; hop <= options.maxHops; ++hop)
	{
		socket.setTtl(static_cast<int>(hop));
		ProbeResult result = probe.send(static_cast<std::uint16_t>(hop), options.timeout);
		char number[16];
		std::snprintf(number, sizeof(number), "%2u", hop);
		if (!result.reply)
		{
			out << number << "  *  Request timed out" << std::endl;
			continue;
		}
		std::string from = formatIpv4(result.reply->source);
		std::string name = options.numeric ? from : reverseName(IPAddress(from));
		out << number << "  " << formatMs(result.rttMs) << " ms  " << from << "  " << name;
		if (result.reply->kind == IcmpKind::DestUnreachable)
		{
			out << "  (" << describeIcmpError(result.reply->type, result.reply->code) << ")" << std::endl;
			return 1;
		}
		out << std::endl;
		if (result.reply->kind == IcmpKind::EchoReply) return 0;
	}
	return 1;
}


} // namespace mail
