// config_registry.h - the dynamic-update keys: a server's dns.register and mail-dns's dns.updates.
//
// dns.register (per server): mail-server sends RFC 2136 UPDATEs signed with TSIG to a DNS
// server (BIND, or mail-dns itself) to publish its domains. dns.updates (top level, for
// mail-dns): the zones mail-dns accepts such UPDATEs for, and the keys that may sign them.
#pragma once

#include "common/dns/tsig.h"

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


struct DnsRegisterConfig
{
	bool enabled = false; ///< the server has a dns.register section
	std::string host;     ///< `server: HOST:PORT`, an IPv4 address
	std::uint16_t port = 0;
	std::string zone;            ///< lower-case, no trailing dot; every registered name is under it
	dns::TsigKey key;            ///< key_name, key_secret (base64 decoded), algorithm
	std::uint32_t ttl = 60;      ///< seconds, of every record registered
	bool keepOnShutdown = false; ///< true: the records stay when the server stops
};


struct DnsUpdateZone
{
	std::string zone;               ///< lower-case, no trailing dot
	std::vector<dns::TsigKey> keys; ///< any of them may sign an UPDATE of this zone
};


} // namespace mail
