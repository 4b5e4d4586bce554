// dns_cache.cpp - MX, P and A answers kept for their TTL.
#include "server/relay/dns_cache.h"

#include <Poco/String.h>


namespace mail {


CachingLookup::CachingLookup(const NameLookup& upstream):
	_upstream(upstream)
{
}


template <typename T, typename Ask>
LookupResult<T> CachingLookup::cached(std::map<std::string, Entry<T>>& entries, const std::string& name, Ask ask) const
{
	const std::string key = Poco::toLower(name);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const auto found = entries.find(key);
		if (found != entries.end())
		{
			if (found->second.expires > Clock::now())
			{
				LookupResult<T> hit = found->second.result;
				hit.cached = true;
				return hit;
			}
			entries.erase(found);
		}
	}
	// Asked without the lock: a slow query must not hold up answers already cached. Two
	// workers missing the same name at once both ask; the later answer wins.
	LookupResult<T> result = ask();
	if (result.ttl > 0 && !isTemporary(result.status))
	{
		std::lock_guard<std::mutex> lock(_mutex);
		entries[key] = Entry<T>{result, Clock::now() + std::chrono::seconds(result.ttl)};
	}
	return result;
}


LookupResult<std::vector<MxRecord>> CachingLookup::mx(const std::string& name) const
{
	return cached(_mx, name, [&] { return _upstream.mx(name); });
}


LookupResult<std::uint16_t> CachingLookup::port(const std::string& name) const
{
	return cached(_port, name, [&] { return _upstream.port(name); });
}


LookupResult<std::vector<std::uint32_t>> CachingLookup::a(const std::string& name) const
{
	return cached(_a, name, [&] { return _upstream.a(name); });
}


std::size_t CachingLookup::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _mx.size() + _port.size() + _a.size();
}


} // namespace mail
