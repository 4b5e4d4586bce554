// zone_update.h - applying one RFC 2136 UPDATE (prerequisites, then changes) to a Zone.
//
// Pure: the caller has found the zone and checked the TSIG. All or nothing (RFC 2136
// 3.4): the changes are made on a copy, which replaces the zone only when every
// prerequisite held and every change was valid. Only the types mail-dns serves can be
// changed (A, MX, P = TYPE65280, SRV); another type is REFUSED, not silently dropped.
// An add's TTL becomes its RRset's TTL (Zone::ttl, answered and written back), so what a
// provider registers with dns.register's `ttl` is what resolvers cache.
#pragma once

#include "common/dns/dns_message.h"
#include "common/config/zone.h"

#include <string>


namespace mail {
namespace dns {


struct UpdateResult
{
	Rcode rcode = RcodeNoError;
	std::string reason;   ///< for the log when rcode is not NOERROR
	unsigned changes = 0; ///< records added or removed
};


UpdateResult applyUpdate(Zone& zone, const std::string& zoneName, const Message& update);
/// zoneName: lower-case, no trailing dot. Changes zone only when the result is NOERROR.


} // namespace dns
} // namespace mail
