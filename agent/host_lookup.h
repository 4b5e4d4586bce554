// host_lookup.h - names for ping and trace: pseudo-DNS first, then the system resolver.
#pragma once

#include "common/config/config.h"

#include <Poco/Net/IPAddress.h>

#include <stdexcept>
#include <string>


namespace mail {


class UnknownHost: public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};


Poco::Net::IPAddress lookupHost(const std::string& name, const DnsConfig* dns);
/// An IPv4 literal as is; else the A record (or 127.0.0.1 for a P-only name) from
/// mail-dns when dns is given; else the system resolver's first IPv4 address. Names
/// under `.invalid` (RFC 6761) are never sent to any resolver. Throws UnknownHost.

std::string reverseName(const Poco::Net::IPAddress& address);
/// The system resolver's name for an address, or "hostname not returnable".


} // namespace mail
