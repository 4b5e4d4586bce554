// config_registry_yaml.cpp - reading dns.register and dns.updates from YAML.
#include "common/config/config_registry_yaml.h"

#include "common/base/base64.h"
#include "common/config/yaml_checks.h"
#include "common/config/zone.h"


namespace mail {


namespace {


const std::uint32_t MaxTtl = 86400;


std::string readDomain(const YAML::Node& node, const std::string& key)
{
	const std::string name = readScalar(node, key);
	if (!isValidDomainName(name)) failAt(node, key, "not a valid domain name: '" + name + "'");
	return normalizeName(name);
}


dns::TsigKey readKey(const YAML::Node& name, const YAML::Node& secret, const YAML::Node& algorithm,
	const std::string& nameKey, const std::string& secretKey, const std::string& algorithmKey)
/// A TSIG key as BIND writes one (`key "NAME" { algorithm hmac-sha256; secret "BASE64"; }`).
{
	dns::TsigKey key;
	key.name = readDomain(name, nameKey);
	const auto decoded = decodeBase64Strict(readScalar(secret, secretKey));
	if (!decoded || decoded->empty()) failAt(secret, secretKey, "expected the key's secret in base64");
	key.secret = *decoded;
	key.algorithm = algorithm ? normalizeName(readScalar(algorithm, algorithmKey)) : "hmac-sha256";
	if (!dns::isTsigAlgorithm(key.algorithm))
		failAt(algorithm, algorithmKey,
			"unknown algorithm '" + key.algorithm + "' (hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1)");
	return key;
}


void requireAll(const YAML::Node& node, const std::string& key, std::initializer_list<const char*> required)
{
	for (const char* field: required)
		if (!node[field]) failAt(node, childKey(key, field), "missing");
}


} // namespace


void readDnsRegister(const YAML::Node& node, const std::string& key, DnsRegisterConfig& out)
{
	requireMap(node, key);
	checkKeys(node, key, {"server", "zone", "key_name", "key_secret", "algorithm", "ttl", "keep_on_shutdown"});
	requireAll(node, key, {"server", "zone", "key_name", "key_secret"});
	const auto k = [&key](const char* name) { return childKey(key, name); };
	const DnsServerAddress server = readHostPort(node["server"], k("server"));
	out.enabled = true;
	out.host = server.host;
	out.port = server.port;
	out.zone = readDomain(node["zone"], k("zone"));
	out.key = readKey(node["key_name"], node["key_secret"], node["algorithm"], k("key_name"), k("key_secret"), k("algorithm"));
	if (node["ttl"]) out.ttl = static_cast<std::uint32_t>(readUnsigned(node["ttl"], k("ttl"), 0, MaxTtl));
	if (node["keep_on_shutdown"]) out.keepOnShutdown = readBool(node["keep_on_shutdown"], k("keep_on_shutdown"));
}


void readDnsUpdates(const YAML::Node& node, const std::string& key, std::vector<DnsUpdateZone>& out)
{
	if (!node.IsSequence() || node.size() == 0) failAt(node, key, "expected a list of {zone, keys}");
	for (std::size_t i = 0; i < node.size(); ++i)
	{
		const YAML::Node item = node[i];
		const std::string itemKey = key + "[" + std::to_string(i) + "]";
		requireMap(item, itemKey);
		checkKeys(item, itemKey, {"zone", "keys"});
		requireAll(item, itemKey, {"zone", "keys"});
		DnsUpdateZone zone;
		zone.zone = readDomain(item["zone"], childKey(itemKey, "zone"));
		for (const auto& other: out)
			if (other.zone == zone.zone) failAt(item["zone"], childKey(itemKey, "zone"), "zone listed twice");
		const YAML::Node keys = item["keys"];
		const std::string keysKey = childKey(itemKey, "keys");
		if (!keys.IsSequence() || keys.size() == 0) failAt(keys, keysKey, "expected a list of {name, secret, algorithm}");
		for (std::size_t j = 0; j < keys.size(); ++j)
		{
			const std::string kk = keysKey + "[" + std::to_string(j) + "]";
			requireMap(keys[j], kk);
			checkKeys(keys[j], kk, {"name", "secret", "algorithm"});
			requireAll(keys[j], kk, {"name", "secret"});
			zone.keys.push_back(readKey(keys[j]["name"], keys[j]["secret"], keys[j]["algorithm"], childKey(kk, "name"),
				childKey(kk, "secret"), childKey(kk, "algorithm")));
		}
		out.push_back(std::move(zone));
	}
}


} // namespace mail
