// dns_cache.h - the relay's cache of MX, P and A answers, each kept for its TTL.
//
// Relaying many messages to one domain asks mail-dns once per name and type per TTL
// instead of three queries per message. Negative answers (NXDOMAIN, NODATA) are cached
// too, for the time the resolver reports (RFC 2308: the SOA's, or 60 s); timeouts and
// failures are not, so the next message asks again.
#pragma once

#include "common/lookup/name_lookup.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>


namespace mail {


class CachingLookup: public NameLookup
/// A NameLookup in front of another one. Thread-safe.
{
public:
	using Clock = std::chrono::steady_clock;

	explicit CachingLookup(const NameLookup& upstream);

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override;
	LookupResult<std::uint16_t> port(const std::string& name) const override;
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override;

	std::size_t size() const; ///< entries held, expired ones included until they are asked for again

private:
	template <typename T>
	struct Entry
	{
		LookupResult<T> result;
		Clock::time_point expires;
	};

	template <typename T, typename Ask>
	LookupResult<T> cached(std::map<std::string, Entry<T>>& entries, const std::string& name, Ask ask) const;

	const NameLookup& _upstream;
	mutable std::mutex _mutex;
	mutable std::map<std::string, Entry<std::vector<MxRecord>>> _mx;
	mutable std::map<std::string, Entry<std::uint16_t>> _port;
	mutable std::map<std::string, Entry<std::vector<std::uint32_t>>> _a;
};


} // namespace mail
