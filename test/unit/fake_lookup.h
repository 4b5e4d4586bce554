// fake_lookup.h - a NameLookup over a zone in memory, for router and resolver tests.
#pragma once

#include "common/lookup/name_lookup.h"

#include <map>
#include <set>
#include <string>
#include <vector>


namespace mail {
namespace test {


class FakeLookup: public NameLookup
/// A zone in memory; names in `slow` time out for every type.
{
public:
	Zone zone;
	std::set<std::string> slow;

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override
	{
		return find(zone.mx, name);
	}
	LookupResult<std::uint16_t> port(const std::string& name) const override
	{
		return find(zone.p, name);
	}
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override
	{
		return find(zone.a, name);
	}

private:
	template <typename T>
	LookupResult<T> find(const std::map<std::string, T>& records, const std::string& name) const
	{
		LookupResult<T> result;
		if (slow.count(name)) result.status = LookupStatus::Timeout;
		else if (records.count(name))
		{
			result.status = LookupStatus::Ok;
			result.value = records.at(name);
		}
		else result.status = zone.hasName(name) ? LookupStatus::NoData : LookupStatus::NxDomain;
		return result;
	}
};


} // namespace test
} // namespace mail
