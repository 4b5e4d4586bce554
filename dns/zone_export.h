// zone_export.h - the zone as an RFC 1035 master file, for NSD, BIND or Knot (--export-zone).
//
// What the pseudo-zone does not have is made up, the same way every time:
//   - $TTL is the TTL mail-dns answers with (ZoneIndex::DefaultTtl); an RRset with its own
//     TTL (the zone file's `TTL:`, set by an UPDATE) carries it on each of its records;
//   - SOA: MNAME ns.ORIGIN, RNAME hostmaster.ORIGIN, the serial given (the zone file's
//     modification time in seconds), refresh 3600, retry 600, expire 86400, minimum
//     (negative caching) the TTL;
//   - one NS, ns.ORIGIN, with A 127.0.0.1 unless the zone gives that name an address.
// Every name is written absolute (trailing dot). Each host gets the addresses mail-dns
// answers with (hostAddresses: a P name without A records is 127.0.0.1), so a real
// server gives the same answers. P records are in RFC 3597 generic form,
// `TYPE65280 \# 2 07E9`. Names outside the origin are left out and returned.
#pragma once

#include "common/config/zone.h"

#include <cstdint>
#include <string>
#include <vector>


namespace mail {
namespace dns {


struct ExportedZone
{
	std::string text;                 ///< the master file
	std::vector<std::string> outside; ///< names left out: not at or under the origin
};


std::string defaultOrigin(const Zone& zone);
/// The longest common parent domain of every name ("" for the root when there is none).

ExportedZone exportZone(const Zone& zone, const std::string& origin, std::uint32_t ttl, std::uint32_t serial);
/// origin: lower-case, no trailing dot, "" for the root.


} // namespace dns
} // namespace mail
