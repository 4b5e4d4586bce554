// zone.h - the pseudo-DNS zone (conf/zone.yaml): MX, P (hostname -> port) and A records.
//
// Names are stored lower-case without the trailing dot; lookups are case-insensitive.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>


namespace mail {


struct MxRecord
{
	std::uint16_t preference = 10;
	std::string host; ///< lower-case, no trailing dot

	bool operator==(const MxRecord& o) const { return preference == o.preference && host == o.host; }
};


struct SrvRecord
/// RFC 2782; the names mail clients look up are RFC 6186/8314 (`_submission._tcp.DOMAIN`).
{
	std::uint16_t priority = 0;
	std::uint16_t weight = 1;
	std::uint16_t port = 0;
	std::string target; ///< lower-case, no trailing dot

	bool operator==(const SrvRecord& o) const
	{
		return priority == o.priority && weight == o.weight && port == o.port && target == o.target;
	}
};


struct Zone
{
	std::map<std::string, std::vector<MxRecord>> mx; ///< sorted by preference (stable)
	std::map<std::string, std::uint16_t> p;
	std::map<std::string, std::vector<std::uint32_t>> a; ///< IPv4, host byte order
	std::map<std::string, std::vector<SrvRecord>> srv;   ///< the file's `SRV:` list, by name

	bool hasName(const std::string& name) const; ///< any record type; name normalised first
};


std::string normalizeName(const std::string& name);
/// Lower-cases and strips one trailing dot: "Gmail.COM." -> "gmail.com".

bool isInZone(const std::string& name, const std::string& zone);
/// name is zone or below it (both normalised); every name is in the root zone "".

std::vector<std::uint32_t> hostAddresses(const std::vector<std::uint32_t>& aRecords, bool hasPort);
/// The addresses a host name resolves to (SPEC.md): its A records; with none, 127.0.0.1
/// when the name has a P record, else none. The one place this rule lives: mail-dns
/// answers A queries with it, and the resolver and the relay apply it to what they get.

Zone loadZone(const std::string& path);
/// Reads and checks a zone file. Throws ConfigError (file, line, key) for a missing
/// file, YAML syntax, an unknown section, a value that is not a valid domain name,
/// a port out of range, a bad address or a duplicate name.

std::string zoneText(const Zone& zone);
/// The zone in the file's own YAML form (what loadZone reads back to the same Zone).


} // namespace mail
