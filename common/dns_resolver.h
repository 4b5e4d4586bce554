// dns_resolver.h - client for mail-dns: MX, P (port) and A queries over UDP.
//
// Each query has a per-attempt timeout and a number of retries; replies are matched by
// ID and question (case-insensitively), so a stray or spoofed datagram is ignored.
// Thread-safe: every call uses its own socket.
#pragma once

#include "common/zone.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>


namespace mail {


enum class LookupStatus
{
	Ok,        ///< answer present
	NoData,    ///< the name exists but has no record of that type
	NxDomain,  ///< the name does not exist (permanent)
	Timeout,   ///< no matching reply after all retries (temporary)
	Failure    ///< SERVFAIL, REFUSED, FORMERR or a malformed/truncated reply (temporary)
};

const char* toString(LookupStatus status);


template <typename T>
struct LookupResult
{
	LookupStatus status = LookupStatus::Failure;
	T value{};

	bool ok() const { return status == LookupStatus::Ok; }
};


class Resolver
{
public:
	Resolver(const std::string& serverHost, std::uint16_t serverPort,
		std::chrono::milliseconds timeout = std::chrono::milliseconds(1000), unsigned retries = 2);

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const;
		/// Sorted by preference (ties keep server order).
	LookupResult<std::uint16_t> port(const std::string& name) const;
		/// P record (TYPE65280).
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const;
		/// IPv4 addresses, host byte order.

	std::string resolveAddress(const std::string& name) const;
		/// Dotted IPv4 address for a host: its A record, or 127.0.0.1 when the name has a
		/// P record but no A record (SPEC.md). Throws Poco::Exception when it cannot.

private:
	std::string _host;
	std::uint16_t _port;
	std::chrono::milliseconds _timeout;
	unsigned _retries;
};


} // namespace mail
