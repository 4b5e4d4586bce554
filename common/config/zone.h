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


/// The TTL of every answer whose RRset has no `TTL:` entry (seconds; short, so a reload is seen soon).
constexpr std::uint32_t kDefaultZoneTtl = 60;
/// RFC 2181 section 8: a TTL is at most 2^31 - 1 seconds.
constexpr std::uint32_t kMaxZoneTtl = 2147483647;


struct Zone
{
	std::map<std::string, std::vector<MxRecord>> mx; ///< sorted by preference (stable)
	std::map<std::string, std::uint16_t> p;
	std::map<std::string, std::vector<std::uint32_t>> a; ///< IPv4, host byte order
	std::map<std::string, std::vector<SrvRecord>> srv;   ///< the file's `SRV:` list, by name
	/// The file's `TTL:` map: name -> RR type code (1 A, 15 MX, 33 SRV, 65280 P) -> seconds,
	/// for the RRsets whose TTL is not kDefaultZoneTtl (an UPDATE's add sets it, RFC 2136).
	std::map<std::string, std::map<std::uint16_t, std::uint32_t>> ttl;

	std::uint32_t ttlOf(const std::string& name, std::uint16_t type) const;
	/// The TTL answers of that RRset carry: its `TTL:` entry, else kDefaultZoneTtl.

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
