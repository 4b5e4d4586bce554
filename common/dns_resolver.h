// dns_resolver.h - client for mail-dns: MX, P (port) and A queries over UDP.
//
// Each query has a per-attempt timeout and a number of retries; replies are matched by
// ID and question (case-insensitively), so a stray or spoofed datagram is ignored.
// Thread-safe: every call uses its own socket.
#pragma once

#include "common/name_lookup.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>


namespace mail {


class Resolver: public NameLookup
/// NameLookup through mail-dns.
{
public:
	Resolver(const std::string& serverHost, std::uint16_t serverPort,
		std::chrono::milliseconds timeout = std::chrono::milliseconds(1000), unsigned retries = 2);

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override;
	LookupResult<std::uint16_t> port(const std::string& name) const override;
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override;

private:
	std::string _host;
	std::uint16_t _port;
	std::chrono::milliseconds _timeout;
	unsigned _retries;
};


} // namespace mail
