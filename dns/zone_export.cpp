// zone_export.cpp - the zone as an RFC 1035 master file, for NSD, BIND or Knot (--export-zone).
#include "dns/zone_export.h"

#include "common/dns/dns_message.h"

#include <cstdio>
#include <set>
#include <sstream>


namespace mail {
namespace dns {


namespace {


const std::uint32_t SoaRefresh = 3600;
const std::uint32_t SoaRetry = 600;
const std::uint32_t SoaExpire = 86400;


std::string absolute(const std::string& name)
{
	return name + ".";
}


std::string parentOf(const std::string& name)
{
	const std::size_t dot = name.find('.');
	return dot == std::string::npos ? "" : name.substr(dot + 1);
}


std::string dotted(std::uint32_t address)
{
	return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xFF) + "."
		+ std::to_string((address >> 8) & 0xFF) + "." + std::to_string(address & 0xFF);
}


std::string genericPort(std::uint16_t port)
{
	char hex[5];
	std::snprintf(hex, sizeof hex, "%04X", port);
	return std::string("TYPE65280 \\# 2 ") + hex;
}


std::string owner(const Zone& zone, const std::string& name, std::uint16_t type, std::uint32_t defaultTtl)
/// "NAME." and, for an RRset whose TTL is not the $TTL, " SECONDS".
{
	const std::uint32_t ttl = zone.ttlOf(name, type);
	return ttl == defaultTtl ? absolute(name) : absolute(name) + " " + std::to_string(ttl);
}


} // namespace


std::string defaultOrigin(const Zone& zone)
{
	std::set<std::string> names;
	for (const auto& entry: zone.mx) names.insert(entry.first);
	for (const auto& entry: zone.p) names.insert(entry.first);
	for (const auto& entry: zone.a) names.insert(entry.first);
	for (const auto& entry: zone.srv) names.insert(entry.first);
	if (names.empty()) return "";
	std::string origin = *names.begin();
	for (const auto& name: names)
		while (!isInZone(name, origin)) origin = parentOf(origin);
	return origin;
}


ExportedZone exportZone(const Zone& zone, const std::string& origin, std::uint32_t ttl, std::uint32_t serial)
{
	ExportedZone result;
	const std::string apex = origin.empty() ? "." : absolute(origin);
	const std::string suffix = origin.empty() ? "" : "." + origin;
	const std::string nsName = "ns" + suffix;
	const std::string ns = absolute(nsName);
	std::ostringstream out;
	out << "; exported by mail-dns --export-zone: SOA and NS are made up (see mail-dns(8))\n"
		<< "$ORIGIN " << apex << "\n"
		<< "$TTL " << ttl << "\n"
		<< "@ IN SOA " << ns << " " << absolute("hostmaster" + suffix) << " " << serial << " " << SoaRefresh << " " << SoaRetry
		<< " " << SoaExpire << " " << ttl << "\n"
		<< "@ IN NS " << ns << "\n";

	std::set<std::string> names;
	for (const auto& entry: zone.mx) names.insert(entry.first);
	for (const auto& entry: zone.p) names.insert(entry.first);
	for (const auto& entry: zone.a) names.insert(entry.first);
	for (const auto& entry: zone.srv) names.insert(entry.first);
	bool nsHasAddress = false;
	for (const auto& name: names)
	{
		if (!isInZone(name, origin))
		{
			result.outside.push_back(name);
			continue;
		}
		const auto mx = zone.mx.find(name);
		if (mx != zone.mx.end())
			for (const auto& record: mx->second)
				out << owner(zone, name, TypeMx, ttl) << " IN MX " << record.preference << " " << absolute(record.host) << "\n";
		const auto a = zone.a.find(name);
		const auto p = zone.p.find(name);
		const auto addresses = hostAddresses(a == zone.a.end() ? std::vector<std::uint32_t>{} : a->second, p != zone.p.end());
		// A P name's made-up A record has the P record's TTL, as mail-dns answers it.
		const std::uint16_t aTtlType = a == zone.a.end() ? std::uint16_t(TypeP) : std::uint16_t(TypeA);
		for (const auto address: addresses) out << owner(zone, name, aTtlType, ttl) << " IN A " << dotted(address) << "\n";
		if (p != zone.p.end()) out << owner(zone, name, TypeP, ttl) << " IN " << genericPort(p->second) << "\n";
		const auto srv = zone.srv.find(name);
		if (srv != zone.srv.end())
			for (const auto& record: srv->second)
				out << owner(zone, name, TypeSrv, ttl) << " IN SRV " << record.priority << " " << record.weight << " " << record.port << " "
					<< absolute(record.target) << "\n";
		if (name == nsName) nsHasAddress = !addresses.empty();
	}
	if (!nsHasAddress) out << ns << " IN A 127.0.0.1\n";
	result.text = out.str();
	return result;
}


} // namespace dns
} // namespace mail
