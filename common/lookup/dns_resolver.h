// dns_resolver.h - client for mail-dns: MX, P (port), A and SRV queries over UDP, TCP after TC, with failover.
//
// The servers (dns.resolvers) are asked in order, each with its own per-attempt timeout;
// a silent server or a closed port moves on to the next one, and the whole round is
// retried `retries` times. The server that answered last is asked first from then on,
// so a dead first server costs one timeout, not one per query. A reply with TC set is asked again over TCP (RFC 7766).
// Replies are matched by ID and question (case-insensitively), so a stray or spoofed
// datagram is ignored. Thread-safe: every call uses its own sockets.
#pragma once

#include "common/config/config.h"
#include "common/lookup/name_lookup.h"

#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <chrono>
#include <memory>
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
	Resolver(const std::vector<DnsServerAddress>& servers,
		std::chrono::milliseconds timeout = std::chrono::milliseconds(1000), unsigned retries = 2);
	/// servers: IPv4 addresses, asked in this order.

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override;
	LookupResult<std::uint16_t> port(const std::string& name) const override;
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override;

	LookupResult<std::vector<SrvRecord>> srv(const std::string& name) const;
	/// RFC 2782 records (RFC 6186 names such as `_imap._tcp.DOMAIN`), lowest priority
	/// first. Not part of NameLookup: only the agent asks, to find its IMAP server.

private:
	std::vector<Poco::Net::SocketAddress> _servers;
	std::chrono::milliseconds _timeout;
	unsigned _retries;
	std::shared_ptr<std::atomic<std::size_t>> _preferred; ///< index into _servers; shared by copies
};


} // namespace mail
