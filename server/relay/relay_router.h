// relay_router.h - where to send mail for a domain: MX (or the domain itself), then P and A per exchanger.
#pragma once

#include "common/dns_resolver.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace mail {


class NameLookup
	/// The three mail-dns queries the router needs; an interface so tests can use a fake zone.
{
public:
	virtual ~NameLookup() = default;
	virtual LookupResult<std::vector<MxRecord>> mx(const std::string& name) const = 0;
	virtual LookupResult<std::uint16_t> port(const std::string& name) const = 0;
	virtual LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const = 0;
};


class ResolverLookup: public NameLookup
	/// NameLookup through mail-dns (mail::Resolver).
{
public:
	explicit ResolverLookup(const Resolver& resolver);
	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override;
	LookupResult<std::uint16_t> port(const std::string& name) const override;
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override;

private:
	const Resolver& _resolver;
};


struct Exchanger
{
	std::string host;         ///< the MX host name (or the domain itself)
	std::uint16_t preference = 0;
	std::string address;      ///< dotted IPv4
	std::uint16_t port = 0;

	std::string describe() const; ///< "host[address]:port"
};


enum class RouteStatus
{
	Ok,        ///< exchangers holds at least one target, in preference order
	Temporary, ///< DNS timeout or failure: retry later
	Permanent  ///< NXDOMAIN, no usable exchanger, or only ourselves: bounce
};


struct Route
{
	RouteStatus status = RouteStatus::Temporary;
	std::vector<Exchanger> exchangers;
	std::string status3463;  ///< RFC 3463 status for a failure ("5.1.2")
	std::string diagnostic;  ///< why, for logs and the DSN
};


class RelayRouter
{
public:
	RelayRouter(const NameLookup& lookup, std::string selfAddress, std::uint16_t selfPort);
		/// selfAddress:selfPort is this server's SMTP listener; an exchanger that is this
		/// server is left out (RFC 5321 5.1), so a wrong MX cannot make us talk to ourselves.

	Route route(const std::string& domain) const;
		/// All MX records of the domain by preference (none: the domain itself, RFC 5321
		/// 5.1), each with its P record (port) and A record (address; none: 127.0.0.1).

private:
	const NameLookup& _lookup;
	std::string _selfAddress;
	std::uint16_t _selfPort;
};


std::string formatIpv4(std::uint32_t address);
	/// Host byte order -> "a.b.c.d".


} // namespace mail
