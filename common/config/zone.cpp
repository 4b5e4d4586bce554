// zone.cpp - loading and checking the pseudo-DNS zone file.
#include "common/config/zone.h"

#include "common/base/errors.h"
#include "common/config/yaml_checks.h"

#include <Poco/String.h>

#include <algorithm>


namespace mail {


namespace {


/// A name's list (exchangers, addresses) holds at most this many records; far more than a
/// 512-octet answer carries. YAML aliases let a few lines repeat a list under every name.
constexpr std::size_t kMaxRecordsPerName = 64;
/// The whole zone holds at most this many records: a 1.1 MB file of aliases once expanded
/// into 13.9 s of loading and 1.19 GB of memory.
constexpr std::size_t kMaxZoneRecords = 100000;


std::size_t recordCount(std::uint16_t) { return 1; }
template <typename T>
std::size_t recordCount(const std::vector<T>& records)
{
	return records.size();
}


/// A record name from the file, checked and normalised.
std::string readName(const YAML::Node& node, const std::string& key)
{
	const std::string name = readScalar(node, key);
	if (!isValidDomainName(name)) failAt(node, key, "not a valid domain name: '" + name + "'");
	return normalizeName(name);
}


MxRecord readMx(const YAML::Node& node, const std::string& key)
{
	MxRecord mx;
	if (node.IsScalar())
	{
		mx.host = readName(node, key);
		return mx;
	}
	checkKeys(node, key, {"preference", "host"});
	if (!node["preference"]) failAt(node, childKey(key, "preference"), "missing");
	if (!node["host"]) failAt(node, childKey(key, "host"), "missing");
	mx.preference = static_cast<std::uint16_t>(readUnsigned(node["preference"], childKey(key, "preference"), 0, 65535));
	mx.host = readName(node["host"], childKey(key, "host"));
	return mx;
}


template <typename T, typename ReadItem>
std::vector<T> readOneOrList(const YAML::Node& node, const std::string& key, const char* emptyError, ReadItem readItem)
/// A section value is one item or a non-empty list of them (`MX: {a: mx1}` or `[mx1, mx2]`).
{
	std::vector<T> items;
	if (!node.IsSequence())
	{
		items.push_back(readItem(node, key));
		return items;
	}
	if (node.size() == 0) failAt(node, key, emptyError);
	if (node.size() > kMaxRecordsPerName)
		failAt(node, key, "more than " + std::to_string(kMaxRecordsPerName) + " records for one name");
	for (std::size_t i = 0; i < node.size(); ++i)
		items.push_back(readItem(node[i], key + "[" + std::to_string(i) + "]"));
	return items;
}


template <typename T, typename ReadValue>
void readSection(const YAML::Node& root, const char* section, std::map<std::string, T>& out, std::size_t& records,
	ReadValue readValue)
{
	const YAML::Node map = root[section];
	if (!map || map.IsNull()) return;
	requireMap(map, section);
	for (const auto& item: map)
	{
		const std::string key = childKey(section, item.first.Scalar());
		const std::string name = readName(item.first, key);
		if (out.count(name)) failAt(item.first, key, "duplicate name (names compare case-insensitively)");
		const auto it = out.emplace(name, readValue(item.second, key)).first;
		records += recordCount(it->second);
		if (records > kMaxZoneRecords)
			failAt(item.first, key, "the zone holds more than " + std::to_string(kMaxZoneRecords) + " records");
	}
}


SrvRecord readSrv(const YAML::Node& node, const std::string& key, std::string& name)
{
	if (!node.IsMap()) failAt(node, key, "expected {name, priority, weight, port, target}");
	checkKeys(node, key, {"name", "priority", "weight", "port", "target"});
	for (const char* field: {"name", "port", "target"})
		if (!node[field]) failAt(node, childKey(key, field), "missing");
	SrvRecord srv;
	name = readName(node["name"], childKey(key, "name"));
	if (node["priority"])
		srv.priority = static_cast<std::uint16_t>(readUnsigned(node["priority"], childKey(key, "priority"), 0, 65535));
	if (node["weight"])
		srv.weight = static_cast<std::uint16_t>(readUnsigned(node["weight"], childKey(key, "weight"), 0, 65535));
	srv.port = readPort(node["port"], childKey(key, "port"));
	srv.target = readName(node["target"], childKey(key, "target"));
	return srv;
}


void readSrvList(const YAML::Node& root, Zone& zone, std::size_t& records)
/// `SRV: [ {name, priority, weight, port, target} ]`: a list, since one name has several.
{
	const YAML::Node list = root["SRV"];
	if (!list || list.IsNull()) return;
	if (!list.IsSequence()) failAt(list, "SRV", "expected a list of {name, priority, weight, port, target}");
	for (std::size_t i = 0; i < list.size(); ++i)
	{
		const std::string key = "SRV[" + std::to_string(i) + "]";
		std::string name;
		const SrvRecord srv = readSrv(list[i], key, name);
		auto& ofName = zone.srv[name];
		if (ofName.size() >= kMaxRecordsPerName)
			failAt(list[i], key, "more than " + std::to_string(kMaxRecordsPerName) + " records for one name");
		ofName.push_back(srv);
		if (++records > kMaxZoneRecords)
			failAt(list[i], key, "the zone holds more than " + std::to_string(kMaxZoneRecords) + " records");
	}
}


/// The RR types a `TTL:` entry may name, as the file spells them.
const std::pair<const char*, std::uint16_t> kTtlTypes[] = {{"A", 1}, {"MX", 15}, {"SRV", 33}, {"P", 65280}};


void readTtls(const YAML::Node& root, Zone& zone)
/// `TTL: {NAME: {A: SECONDS, MX: ..., P: ..., SRV: ...}}`.
{
	const YAML::Node map = root["TTL"];
	if (!map || map.IsNull()) return;
	requireMap(map, "TTL");
	for (const auto& item: map)
	{
		const std::string key = childKey("TTL", item.first.Scalar());
		const std::string name = readName(item.first, key);
		if (zone.ttl.count(name)) failAt(item.first, key, "duplicate name (names compare case-insensitively)");
		requireMap(item.second, key);
		auto& ofName = zone.ttl[name];
		for (const auto& entry: item.second)
		{
			const std::string typeKey = childKey(key, entry.first.Scalar());
			const auto type = std::find_if(std::begin(kTtlTypes), std::end(kTtlTypes),
				[&](const auto& known) { return entry.first.Scalar() == known.first; });
			if (type == std::end(kTtlTypes)) failAt(entry.first, typeKey, "expected A, MX, P or SRV");
			ofName[type->second] = static_cast<std::uint32_t>(readUnsigned(entry.second, typeKey, 0, kMaxZoneTtl));
		}
	}
}


std::string dottedAddress(std::uint32_t address)
{
	return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xFF) + "."
		+ std::to_string((address >> 8) & 0xFF) + "." + std::to_string(address & 0xFF);
}


} // namespace


std::string zoneText(const Zone& zone)
{
	// Every name is a plain DNS name (loadZone checked it), so none needs YAML quoting.
	std::string out = "# written by mail-dns after a dynamic update (RFC 2136); comments are not kept\n";
	out += "MX:\n";
	for (const auto& [name, records]: zone.mx)
	{
		out += "  " + name + ".:\n";
		for (const auto& mx: records)
			out += "    - {preference: " + std::to_string(mx.preference) + ", host: " + mx.host + ".}\n";
	}
	out += "P:\n";
	for (const auto& [name, port]: zone.p) out += "  " + name + ".: " + std::to_string(port) + "\n";
	out += "A:\n";
	for (const auto& [name, addresses]: zone.a)
	{
		out += "  " + name + ".:\n";
		for (const auto address: addresses) out += "    - " + dottedAddress(address) + "\n";
	}
	out += "SRV:\n";
	for (const auto& [name, records]: zone.srv)
		for (const auto& srv: records)
			out += "  - {name: " + name + "., priority: " + std::to_string(srv.priority) + ", weight: "
				+ std::to_string(srv.weight) + ", port: " + std::to_string(srv.port) + ", target: " + srv.target + ".}\n";
	if (zone.ttl.empty()) return out;
	out += "TTL:\n";
	for (const auto& [name, types]: zone.ttl)
	{
		out += "  " + name + ".: {";
		const char* separator = "";
		for (const auto& [type, seconds]: types)
		{
			for (const auto& known: kTtlTypes)
				if (known.second == type) out.append(separator).append(known.first).append(": ").append(std::to_string(seconds));
			separator = ", ";
		}
		out += "}\n";
	}
	return out;
}


std::string normalizeName(const std::string& name)
{
	std::string result = Poco::toLower(name);
	if (!result.empty() && result.back() == '.') result.pop_back();
	return result;
}


bool isInZone(const std::string& name, const std::string& zone)
{
	if (zone.empty()) return true;
	return name == zone
		|| (name.size() > zone.size() && name.compare(name.size() - zone.size(), zone.size(), zone) == 0
			&& name[name.size() - zone.size() - 1] == '.');
}


std::vector<std::uint32_t> hostAddresses(const std::vector<std::uint32_t>& aRecords, bool hasPort)
{
	constexpr std::uint32_t Localhost = 0x7F000001; // SPEC.md: a P name without A resolves to 127.0.0.1
	if (aRecords.empty() && hasPort) return {Localhost};
	return aRecords;
}


bool Zone::hasName(const std::string& name) const
{
	const std::string n = normalizeName(name);
	return mx.count(n) || p.count(n) || a.count(n) || srv.count(n);
}


std::uint32_t Zone::ttlOf(const std::string& name, std::uint16_t type) const
{
	const auto ofName = ttl.find(name);
	if (ofName == ttl.end()) return kDefaultZoneTtl;
	const auto seconds = ofName->second.find(type);
	return seconds == ofName->second.end() ? kDefaultZoneTtl : seconds->second;
}


Zone loadZone(const std::string& path)
{
	const YAML::Node root = loadYamlFile(path);
	Zone zone;
	std::size_t records = 0;
	try
	{
		if (!root.IsMap()) failAt(root, "", root.IsNull() ? "the zone file is empty" : "expected sections MX, P and A");
		checkKeys(root, "", {"MX", "P", "A", "SRV", "TTL"});
		readSection(root, "MX", zone.mx, records, [](const YAML::Node& node, const std::string& key) {
			std::vector<MxRecord> records = readOneOrList<MxRecord>(node, key, "empty list of exchangers", readMx);
			std::stable_sort(records.begin(), records.end(),
				[](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
			return records;
		});
		readSection(root, "P", zone.p, records, [](const YAML::Node& node, const std::string& key) {
			return readPort(node, key);
		});
		readSection(root, "A", zone.a, records, [](const YAML::Node& node, const std::string& key) {
			return readOneOrList<std::uint32_t>(node, key, "empty list of addresses", readIPv4);
		});
		readSrvList(root, zone, records);
		readTtls(root, zone);
	}
	catch (const NodeError& exc)
	{
		throw ConfigError(path, exc.line, exc.key, exc.what());
	}
	return zone;
}


} // namespace mail
