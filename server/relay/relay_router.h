// relay_router.h - where to send mail for a domain: MX (or the domain itself), then P and A per exchanger.
#pragma once

#include "common/lookup/name_lookup.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace mail {


struct Exchanger
{
	std::string host; ///< the MX host name (or the domain itself)
	std::uint16_t preference = 0;
	std::string address; ///< dotted IPv4
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
	std::string status3463; ///< RFC 3463 status for a failure ("5.1.2")
	std::string diagnostic; ///< why, for logs and the DSN
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
	Route route(const std::string& domain, const NameLookup& lookup) const;
	/// The same through another lookup: the relay's per-message one that records its
	/// queries as events of that message (server/relay/lookup_events).

private:
	const NameLookup& _lookup;
	std::string _selfAddress;
	std::uint16_t _selfPort;
};


} // namespace mail
