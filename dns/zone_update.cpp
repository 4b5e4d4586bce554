// zone_update.cpp - applying one RFC 2136 UPDATE to a Zone.
#include "dns/zone_update.h"

#include <algorithm>
#include <type_traits>


namespace mail {
namespace dns {


namespace {


bool isServedType(std::uint16_t type)
{
	return type == TypeA || type == TypeMx || type == TypeP || type == TypeSrv;
}


bool hasRrset(const Zone& zone, const std::string& name, std::uint16_t type)
{
	switch (type)
	{
	case TypeA: return zone.a.count(name) > 0;
	case TypeMx: return zone.mx.count(name) > 0;
	case TypeP: return zone.p.count(name) > 0;
	case TypeSrv: return zone.srv.count(name) > 0;
	default: return false;
	}
}


unsigned eraseRrset(Zone& zone, const std::string& name, std::uint16_t type)
{
	const auto count = [&](auto& map) -> unsigned {
		const auto it = map.find(name);
		if (it == map.end()) return 0;
		unsigned n = 1;
		if constexpr (!std::is_same_v<std::decay_t<decltype(it->second)>, std::uint16_t>)
			n = static_cast<unsigned>(it->second.size());
		map.erase(it);
		return n;
	};
	switch (type)
	{
	case TypeA: return count(zone.a);
	case TypeMx: return count(zone.mx);
	case TypeP: return count(zone.p);
	case TypeSrv: return count(zone.srv);
	case TypeAny: return count(zone.a) + count(zone.mx) + count(zone.p) + count(zone.srv);
	default: return 0;
	}
}


bool readName(const std::vector<std::uint8_t>& rdata, std::size_t offset, std::string& name)
/// A name filling the rest of rdata (decodeMessage has decompressed MX exchanges; SRV
/// targets are never compressed).
{
	WireReader reader(rdata.data(), rdata.size(), offset);
	WireName wire;
	if (!reader.name(wire) || reader.offset() != rdata.size()) return false;
	name = normalizeName(wire.toDotted());
	return !name.empty();
}


std::uint16_t get16(const std::vector<std::uint8_t>& d, std::size_t at)
{
	return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}


template <typename T>
unsigned addOnce(std::vector<T>& records, const T& record)
{
	if (std::find(records.begin(), records.end(), record) != records.end()) return 0;
	records.push_back(record);
	return 1;
}


template <typename T>
unsigned removeOne(std::map<std::string, std::vector<T>>& map, const std::string& name, const T& record)
{
	const auto it = map.find(name);
	if (it == map.end()) return 0;
	const auto found = std::find(it->second.begin(), it->second.end(), record);
	if (found == it->second.end()) return 0;
	it->second.erase(found);
	if (it->second.empty()) map.erase(it);
	return 1;
}


bool changeRecord(Zone& zone, const std::string& name, const ResourceRecord& rr, bool add, unsigned& changes)
/// Adds (class IN) or removes (class NONE) one record; false: its RDATA does not fit its type.
{
	const auto& d = rr.rdata;
	switch (rr.type)
	{
	case TypeA:
	{
		if (d.size() != 4) return false;
		const std::uint32_t address = (std::uint32_t(get16(d, 0)) << 16) | get16(d, 2);
		if (add)
			changes += addOnce(zone.a[name], address);
		else
		{
			auto it = zone.a.find(name);
			if (it == zone.a.end()) return true;
			const auto found = std::find(it->second.begin(), it->second.end(), address);
			if (found == it->second.end()) return true;
			it->second.erase(found);
			if (it->second.empty()) zone.a.erase(it);
			++changes;
		}
		return true;
	}
	case TypeMx:
	{
		MxRecord mx;
		if (d.size() < 3 || !readName(d, 2, mx.host)) return false;
		mx.preference = get16(d, 0);
		if (!add) return changes += removeOne(zone.mx, name, mx), true;
		auto& list = zone.mx[name];
		if (addOnce(list, mx) == 0) return true;
		std::stable_sort(list.begin(), list.end(), [](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
		++changes;
		return true;
	}
	case TypeP:
	{
		if (d.size() != 2) return false;
		const std::uint16_t port = get16(d, 0);
		const auto it = zone.p.find(name);
		if (add)
		{
			// One port per name (the zone file's form): adding replaces (like a CNAME in RFC 2136 3.4.2.2).
			if (it != zone.p.end() && it->second == port) return true;
			zone.p[name] = port;
			++changes;
		}
		else if (it != zone.p.end() && it->second == port)
		{
			zone.p.erase(it);
			++changes;
		}
		return true;
	}
	case TypeSrv:
	{
		SrvRecord srv;
		if (d.size() < 7 || !readName(d, 6, srv.target)) return false;
		srv.priority = get16(d, 0);
		srv.weight = get16(d, 2);
		srv.port = get16(d, 4);
		if (add)
			changes += addOnce(zone.srv[name], srv);
		else
			changes += removeOne(zone.srv, name, srv);
		return true;
	}
	default: return false;
	}
}


bool setTtl(Zone& zone, const std::string& name, std::uint16_t type, std::uint32_t ttl)
/// An add sets its RRset's TTL (RFC 2136 3.4.2.2 replaces a duplicate record, TTL included;
/// RFC 2181 5.2: one TTL per RRset). The default is kept as no entry. True when it changed.
{
	if (zone.ttlOf(name, type) == ttl) return false;
	if (ttl == kDefaultZoneTtl)
	{
		auto& ofName = zone.ttl[name];
		ofName.erase(type);
		if (ofName.empty()) zone.ttl.erase(name);
	}
	else
		zone.ttl[name][type] = ttl;
	return true;
}


void dropOrphanTtls(Zone& zone)
/// TTL entries of RRsets the update removed go with them.
{
	for (auto name = zone.ttl.begin(); name != zone.ttl.end();)
	{
		for (auto type = name->second.begin(); type != name->second.end();)
			type = hasRrset(zone, name->first, type->first) ? std::next(type) : name->second.erase(type);
		name = name->second.empty() ? zone.ttl.erase(name) : std::next(name);
	}
}


UpdateResult fail(Rcode rcode, std::string reason)
{
	UpdateResult result;
	result.rcode = rcode;
	result.reason = std::move(reason);
	return result;
}


} // namespace


UpdateResult applyUpdate(Zone& zone, const std::string& zoneName, const Message& update)
{
	if (update.questions.size() != 1 || update.questions[0].type != TypeSoa)
		return fail(RcodeFormErr, "the zone section must hold one SOA question");

	for (const auto& rr: update.answers) // prerequisites (RFC 2136 3.2)
	{
		const std::string name = normalizeName(rr.name);
		if (!isInZone(name, zoneName)) return fail(RcodeNotZone, "prerequisite outside the zone: " + name);
		if (rr.ttl != 0 || !rr.rdata.empty())
			return fail(RcodeNotImp, "value-dependent prerequisites are not supported: " + name);
		if (rr.klass == ClassAny && rr.type == TypeAny && !zone.hasName(name))
			return fail(RcodeNxDomain, "prerequisite: name not in use: " + name);
		if (rr.klass == ClassAny && rr.type != TypeAny && !hasRrset(zone, name, rr.type))
			return fail(RcodeNxRrset, "prerequisite: no such RRset: " + name);
		if (rr.klass == ClassNone && rr.type == TypeAny && zone.hasName(name))
			return fail(RcodeYxDomain, "prerequisite: name in use: " + name);
		if (rr.klass == ClassNone && rr.type != TypeAny && hasRrset(zone, name, rr.type))
			return fail(RcodeYxRrset, "prerequisite: RRset exists: " + name);
		if (rr.klass != ClassAny && rr.klass != ClassNone) return fail(RcodeFormErr, "prerequisite of class " + std::to_string(rr.klass));
	}

	for (const auto& rr: update.authority) // prescan (RFC 2136 3.4.1)
	{
		const std::string name = normalizeName(rr.name);
		if (!isInZone(name, zoneName)) return fail(RcodeNotZone, "update outside the zone: " + name);
		const bool any = rr.klass == ClassAny && rr.type == TypeAny;
		if (!any && !isServedType(rr.type))
			return fail(RcodeRefused, "type " + std::to_string(rr.type) + " is not served (A, MX, TYPE65280, SRV only): " + name);
		if (rr.klass == ClassIn && rr.ttl > kMaxZoneTtl)
			return fail(RcodeFormErr, "a TTL above " + std::to_string(kMaxZoneTtl) + " (RFC 2181 8): " + name);
		if (rr.klass == ClassIn) continue;
		if (rr.klass != ClassAny && rr.klass != ClassNone) return fail(RcodeFormErr, "update of class " + std::to_string(rr.klass));
		if (rr.ttl != 0 || (rr.klass == ClassAny && !rr.rdata.empty()))
			return fail(RcodeFormErr, "a deletion with a TTL or data: " + name);
	}

	Zone changed = zone;
	UpdateResult result;
	for (const auto& rr: update.authority)
	{
		const std::string name = normalizeName(rr.name);
		const unsigned before = result.changes;
		if (rr.klass == ClassAny)
			result.changes += eraseRrset(changed, name, rr.type);
		else if (!changeRecord(changed, name, rr, rr.klass == ClassIn, result.changes))
			return fail(RcodeFormErr, "record data does not fit its type: " + name);
		// A TTL that changes on a record already there is a change too (the file is rewritten).
		if (rr.klass == ClassIn && setTtl(changed, name, rr.type, rr.ttl) && result.changes == before) ++result.changes;
	}
	dropOrphanTtls(changed);
	zone = std::move(changed);
	return result;
}


} // namespace dns
} // namespace mail
