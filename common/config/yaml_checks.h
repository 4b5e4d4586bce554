// yaml_checks.h - checked reading of yaml-cpp nodes for the config and zone loaders.
//
// Everything here throws NodeError (line, key, message) without the file name; the
// loaders catch it and rethrow ConfigError with the file added. yaml-cpp is included only
// by this header's users in common/ (config_yaml.cpp, zone.cpp).
#pragma once

#include "common/config/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>


namespace mail {


struct NodeError: std::runtime_error
{
	NodeError(int line, std::string key, const std::string& message):
		std::runtime_error(message), line(line), key(std::move(key))
	{
	}

	int line;        ///< 1-based; 0 when unknown
	std::string key; ///< dotted path, e.g. servers.gmail.com.smtp
};


int lineOf(const YAML::Node& node);
/// 1-based line of a node, 0 when unknown.

[[noreturn]] void failAt(const YAML::Node& node, const std::string& key, const std::string& message);

YAML::Node loadYamlFile(const std::string& path);
/// Parses a file; throws ConfigError for a missing or unreadable file or a syntax error
/// (with the line yaml-cpp reports).

void requireMap(const YAML::Node& node, const std::string& key);

void checkKeys(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> allowed);
/// Every key of the map must be one of allowed, and none may repeat.

void checkNoDuplicateKeys(const YAML::Node& map, const std::string& key);

std::string childKey(const std::string& parent, const std::string& child);
/// "servers" + "gmail.com" -> "servers.gmail.com"; "" + "dns" -> "dns".

std::string readScalar(const YAML::Node& node, const std::string& key);
/// A non-empty scalar (not a map, list or null).

std::uint64_t readUnsigned(const YAML::Node& node, const std::string& key, std::uint64_t min, std::uint64_t max);
std::uint16_t readPort(const YAML::Node& node, const std::string& key);
bool readBool(const YAML::Node& node, const std::string& key);
Seconds readDuration(const YAML::Node& node, const std::string& key);
std::uint32_t readIPv4(const YAML::Node& node, const std::string& key);
/// Dotted quad -> host byte order.

bool isValidDomainName(const std::string& name);
/// Letters, digits, hyphens and underscores in dot-separated labels of 1-63 octets,
/// total <= 253 (one trailing dot allowed); no leading or trailing hyphen; the last
/// label not all digits (so `1` or `10.0.0.1` is not a host name).

bool parseIPv4(const std::string& text, std::uint32_t& address);

DnsServerAddress readHostPort(const YAML::Node& node, const std::string& key);
/// "IPV4:PORT" ("localhost" meaning 127.0.0.1), as dns.listen, dns.resolvers and
/// dns.register.server take it.


} // namespace mail
