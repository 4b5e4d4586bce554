// name_lookup.h - the mail-dns queries (MX, P, A) as an interface, and what a host name resolves to.
//
// Resolver implements it over UDP; tests implement it over a fake zone. The address rule
// of SPEC.md (a P name without an A record is 127.0.0.1) is applied here and in the zone
// by hostAddresses() (common/config/zone.h), nowhere else.
#pragma once

#include "common/base/ipv4.h"
#include "common/config/zone.h"

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


enum class LookupStatus
{
	Ok,       ///< answer present
	NoData,   ///< the name exists but has no record of that type
	NxDomain, ///< the name does not exist (permanent)
	Timeout,  ///< no matching reply after all retries (temporary)
	Failure   ///< SERVFAIL, REFUSED, FORMERR or a malformed/truncated reply (temporary)
};

const char* toString(LookupStatus status);

bool isTemporary(LookupStatus status); ///< Timeout or Failure: asking again later may help


template <typename T>
struct LookupResult
{
	LookupStatus status = LookupStatus::Failure;
	T value{};
	std::uint32_t ttl = 0; ///< seconds the answer may be cached (negative answers too); 0: do not cache
	bool cached = false;   ///< answered from a cache (the relay's CachingLookup), not asked now

	bool ok() const { return status == LookupStatus::Ok; }
};


class NameLookup
/// The three mail-dns queries; an interface so tests can use a fake zone.
{
public:
	virtual ~NameLookup() = default;

	virtual LookupResult<std::vector<MxRecord>> mx(const std::string& name) const = 0;
	/// Sorted by preference (ties keep server order).
	virtual LookupResult<std::uint16_t> port(const std::string& name) const = 0;
	/// P record (TYPE65280).
	virtual LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const = 0;
	/// IPv4 addresses, host byte order.

	std::string resolveAddress(const std::string& name) const;
	/// Dotted IPv4 address for a host: its first address (the P record is asked only
	/// when there is no A record). Throws Poco::NotFoundException when the name has
	/// neither record, Poco::IOException when a lookup failed.
};


} // namespace mail
