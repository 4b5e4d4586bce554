// tracer.h - `mail-agent trace`: ICMP echo with growing TTL, one row per hop.
#pragma once

#include "agent/icmp/icmp_socket.h"

#include <Poco/Net/IPAddress.h>

#include <cstddef>
#include <ostream>
#include <string>


namespace mail {


struct TraceOptions
{
	unsigned maxHops = 30; ///< --max-hops
	double timeout = 1.0;  ///< -W, seconds to wait at each hop
	bool numeric = false;  ///< -n: no reverse lookups
	std::size_t payloadSize = 56;
};


int trace(IcmpSocket& socket, const std::string& host, const Poco::Net::IPAddress& address,
	const TraceOptions& options, std::ostream& out);
/// Rows "HOP  RTT ms  ADDRESS  NAME" ("HOP  *  Request timed out" for a silent hop);
/// stops at the echo reply (returns 0) or a destination-unreachable (returns 1), or
/// after maxHops (returns 1).


} // namespace mail
