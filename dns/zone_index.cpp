// zone_index.cpp - immutable lookup table from (wire name, type) to precomputed answer records.
#include "dns/zone_index.h"

#include <map>


namespace mail {
namespace dns {


namespace {


void put16(std::string& out, std::uint16_t v)
{
	out += static_cast<char>(v >> 8);
	out += static_cast<char>(v & 0xFF);
}


void put32(std::string& out, std::uint32_t v)
{
	put16(out, static_cast<std::uint16_t>(v >> 16));
	put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}


WireName wireName(const std::string& name)
{
	WireName wire;
	if (!encodeName(name, wire)) throw WireFormatError(WireError::NameTooLong, 0);
	wire.toLower();
	return wire;
}


void addRecord(Answer& answer, std::uint16_t type, std::uint32_t ttl, const std::string& rdata)
{
	put16(answer.bytes, 0xC000 | HeaderSize);
	put16(answer.bytes, type);
	put16(answer.bytes, ClassIn);
	put32(answer.bytes, ttl);
	put16(answer.bytes, static_cast<std::uint16_t>(rdata.size()));
	answer.bytes += rdata;
	++answer.count;
}


} // namespace


ZoneIndex::ZoneIndex(const Zone& zone)
{
	std::map<std::string, NameEntry> byKey;       // ordered: deterministic layout
	std::map<std::string, std::uint32_t> portTtl; // by key: the TTL of a P name's made-up A record
	const auto entry = [&byKey](const std::string& name) -> NameEntry& {
		const WireName wire = wireName(name);
		std::string key(reinterpret_cast<const char*>(wire.bytes), wire.length);
		NameEntry& e = byKey[key];
		e.key = key;
		return e;
	};
	for (const auto& [name, records]: zone.mx)
	{
		NameEntry& e = entry(name);
		for (const auto& mx: records)
		{
			const WireName host = wireName(mx.host);
			std::string rdata;
			put16(rdata, mx.preference);
			rdata.append(reinterpret_cast<const char*>(host.bytes), host.length);
			addRecord(e.mx, TypeMx, zone.ttlOf(name, TypeMx), rdata);
		}
	}
	for (const auto& [name, port]: zone.p)
	{
		std::string rdata;
		put16(rdata, port);
		NameEntry& e = entry(name);
		portTtl[e.key] = zone.ttlOf(name, TypeP);
		addRecord(e.p, TypeP, portTtl[e.key], rdata);
	}
	for (const auto& [name, addresses]: zone.a)
	{
		NameEntry& e = entry(name);
		for (const auto address: addresses)
		{
			std::string rdata;
			put32(rdata, address);
			addRecord(e.a, TypeA, zone.ttlOf(name, TypeA), rdata);
		}
	}
	for (const auto& [name, records]: zone.srv)
	{
		NameEntry& e = entry(name);
		for (const auto& srv: records)
		{
			const WireName target = wireName(srv.target);
			std::string rdata;
			put16(rdata, srv.priority);
			put16(rdata, srv.weight);
			put16(rdata, srv.port);
			rdata.append(reinterpret_cast<const char*>(target.bytes), target.length);
			addRecord(e.srv, TypeSrv, zone.ttlOf(name, TypeSrv), rdata);
		}
	}
	for (auto& [key, e]: byKey)
	{
		if (e.a.count == 0)
			for (const auto address: hostAddresses({}, e.p.count > 0)) // SPEC.md: a P name without A
			{
				std::string rdata;
				put32(rdata, address);
				addRecord(e.a, TypeA, portTtl[key], rdata);
			}
		for (const Answer* part: {&e.mx, &e.a, &e.p, &e.srv})
		{
			e.any.bytes += part->bytes;
			e.any.count = static_cast<std::uint16_t>(e.any.count + part->count);
		}
	}
	_entries.reserve(byKey.size());
	for (auto& kv: byKey) _entries.push_back(std::move(kv.second));
	_byName.reserve(_entries.size());
	for (std::size_t i = 0; i < _entries.size(); ++i) _byName.emplace(_entries[i].key, i);
}


const NameEntry* ZoneIndex::find(std::string_view lowerWireName) const
{
	const auto it = _byName.find(lowerWireName);
	return it == _byName.end() ? nullptr : &_entries[it->second];
}


const Answer* ZoneIndex::find(const NameEntry& entry, std::uint16_t type) const
{
	switch (type)
	{
	case TypeA: return &entry.a;
	case TypeMx: return &entry.mx;
	case TypeP: return &entry.p;
	case TypeSrv: return &entry.srv;
	case TypeAny: return &entry.any;
	default: return nullptr;
	}
}


} // namespace dns
} // namespace mail
