// relay_router.cpp - MX -> P -> A resolution with temporary/permanent classification.
#include "server/relay/relay_router.h"


namespace mail {


std::string Exchanger::describe() const
{
	return host + "[" + address + "]:" + std::to_string(port);
}


RelayRouter::RelayRouter(const NameLookup& lookup, std::string selfAddress, std::uint16_t selfPort):
	_lookup(lookup),
	_selfAddress(std::move(selfAddress)),
	_selfPort(selfPort)
{
}


Route RelayRouter::route(const std::string& domain) const
{
	return route(domain, _lookup);
}


Route RelayRouter::route(const std::string& domain, const NameLookup& lookup) const
{
	Route route;
	const std::string name = normalizeName(domain);
	const auto mx = lookup.mx(name);
	std::vector<MxRecord> hosts;
	switch (mx.status)
	{
	case LookupStatus::Ok:
		hosts = mx.value;
		break;
	case LookupStatus::NoData:
		hosts.push_back(MxRecord{0, name}); // RFC 5321 5.1: the implicit MX
		break;
	case LookupStatus::NxDomain:
		route.status = RouteStatus::Permanent;
		route.status3463 = "5.1.2";
		route.diagnostic = "Host or domain name not found. Name service error for name=" + name + " type=MX: Host not found";
		return route;
	case LookupStatus::Timeout:
	case LookupStatus::Failure:
		route.status = RouteStatus::Temporary;
		route.status3463 = "4.4.3";
		route.diagnostic = "Host or domain name not found. Name service error for name=" + name + " type=MX: "
			+ toString(mx.status);
		return route;
	}

	bool anyTemporary = false, skippedSelf = false;
	std::string why;
	for (const auto& host: hosts)
	{
		if (host.host.empty() || host.host == ".") continue; // null MX (RFC 7505)
		const auto port = lookup.port(host.host);
		if (!port.ok())
		{
			anyTemporary = anyTemporary || isTemporary(port.status);
			why = "no port (P record) for " + host.host + ": " + toString(port.status);
			continue;
		}
		const auto a = lookup.a(host.host);
		if (isTemporary(a.status))
		{
			anyTemporary = true;
			why = "no address for " + host.host + ": " + toString(a.status);
			continue;
		}
		for (const auto addressValue: hostAddresses(a.ok() ? a.value : std::vector<std::uint32_t>{}, true))
		{
			const std::string address = formatIpv4(addressValue);
			if (address == _selfAddress && port.value == _selfPort)
			{
				skippedSelf = true;
				continue;
			}
			route.exchangers.push_back(Exchanger{host.host, host.preference, address, port.value});
		}
	}
	if (!route.exchangers.empty())
	{
		route.status = RouteStatus::Ok;
		return route;
	}
	if (anyTemporary)
	{
		route.status = RouteStatus::Temporary;
		route.status3463 = "4.4.3";
		route.diagnostic = why;
	}
	else if (skippedSelf)
	{
		route.status = RouteStatus::Permanent;
		route.status3463 = "5.4.6";
		route.diagnostic = "mail for " + name + " loops back to myself";
	}
	else
	{
		route.status = RouteStatus::Permanent;
		route.status3463 = "5.4.4";
		route.diagnostic = "no usable mail exchanger for " + name + (why.empty() ? "" : " (" + why + ")");
	}
	return route;
}


} // namespace mail
