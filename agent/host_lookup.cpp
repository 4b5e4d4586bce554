// host_lookup.cpp - resolve HOST for ping/trace via mail-dns, then the system resolver.
#include "agent/host_lookup.h"

#include "common/lookup/dns_resolver.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <chrono>


using Poco::Net::DNS;
using Poco::Net::IPAddress;


namespace mail {


namespace {


constexpr std::chrono::milliseconds PseudoDnsTimeout{500}; ///< mail-dns is local: answers fast
constexpr unsigned PseudoDnsRetries = 1;


bool isReservedInvalid(const std::string& name)
{
	std::string n = normalizeName(name);
	return n == "invalid" || (n.size() > 8 && n.compare(n.size() - 8, 8, ".invalid") == 0);
}


} // namespace


IPAddress lookupHost(const std::string& name, const DnsConfig* dns)
{
	IPAddress literal;
	if (IPAddress::tryParse(name, literal))
	{
		if (literal.family() != IPAddress::IPv4) throw UnknownHost(name + ": only IPv4 is supported");
		return literal;
	}
	if (name.empty() || isReservedInvalid(name)) throw UnknownHost("unknown host " + name);
	if (dns)
	{
		try
		{
			Resolver resolver(dns->servers(), PseudoDnsTimeout, PseudoDnsRetries);
			return IPAddress(resolver.resolveAddress(name));
		}
		catch (const Poco::Exception&)
		{
			// not a pseudo-DNS name (or mail-dns is down): ask the system
		}
	}
	try
	{
		Poco::Net::HostEntry entry = DNS::hostByName(name);
		for (const auto& address: entry.addresses())
			if (address.family() == IPAddress::IPv4) return address;
	}
	catch (const Poco::Exception&)
	{
	}
	throw UnknownHost("unknown host " + name);
}


std::string reverseName(const IPAddress& address)
{
	try
	{
		std::string name = DNS::hostByAddress(address).name();
		if (!name.empty() && name != address.toString()) return name;
	}
	catch (const Poco::Exception&)
	{
	}
	return "hostname not returnable";
}


} // namespace mail
