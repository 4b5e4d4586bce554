// config_registry_same.cpp - comparing readings of dns.register and dns.updates.
#include "common/config/config_registry_same.h"


namespace mail {


namespace {


bool sameKey(const dns::TsigKey& a, const dns::TsigKey& b)
{
	return a.name == b.name && a.algorithm == b.algorithm && a.secret == b.secret;
}


} // namespace


bool sameRegistration(const DnsRegisterConfig& a, const DnsRegisterConfig& b)
{
	return a.enabled == b.enabled && a.host == b.host && a.port == b.port && a.zone == b.zone && sameKey(a.key, b.key)
		&& a.ttl == b.ttl && a.keepOnShutdown == b.keepOnShutdown;
}


bool sameUpdates(const std::vector<DnsUpdateZone>& a, const std::vector<DnsUpdateZone>& b)
{
	if (a.size() != b.size()) return false;
	for (std::size_t i = 0; i < a.size(); ++i)
	{
		if (a[i].zone != b[i].zone || a[i].keys.size() != b[i].keys.size()) return false;
		for (std::size_t k = 0; k < a[i].keys.size(); ++k)
			if (!sameKey(a[i].keys[k], b[i].keys[k])) return false;
	}
	return true;
}


} // namespace mail
