// config_registry_yaml.h - reading dns.register and dns.updates (config_registry.h) from YAML.
#pragma once

#include "common/config/config_registry.h"

#include <yaml-cpp/yaml.h>


namespace mail {


void readDnsRegister(const YAML::Node& node, const std::string& key, DnsRegisterConfig& out);
/// `{server, zone, key_name, key_secret, algorithm, ttl, keep_on_shutdown}`; throws NodeError.

void readDnsUpdates(const YAML::Node& node, const std::string& key, std::vector<DnsUpdateZone>& out);
/// `[ {zone, keys: [ {name, secret, algorithm} ]} ]`; throws NodeError.


} // namespace mail
