// registration_update.cpp - the RFC 2136 UPDATE that publishes (or withdraws) one provider.
#include "server/registry/registration_update.h"

#include "common/dns/dns_update.h"
#include "common/lookup/mail_services.h"
#include "common/config/yaml_checks.h"
#include "common/config/zone.h"


namespace mail {


namespace {


std::uint32_t registeredAddress(const ServerConfig& server)
{
	std::uint32_t address = 0x7F000001;
	if (parseIPv4(server.address, address) && address != 0) return address;
	return 0x7F000001; // 0.0.0.0 is not an address a peer can use
}


} // namespace


std::string registeredHost(const ServerConfig& server)
{
	return "mail." + (server.domains.empty() ? server.registration.zone : server.domains.front());
}


std::vector<std::string> namesOutsideZone(const ServerConfig& server)
{
	std::vector<std::string> outside;
	for (const auto& name: server.domains)
		if (!isInZone(name, server.registration.zone)) outside.push_back(name);
	if (!isInZone(registeredHost(server), server.registration.zone)) outside.push_back(registeredHost(server));
	return outside;
}


dns::Message registrationUpdate(const ServerConfig& server, std::uint16_t id, bool withdraw)
{
	const DnsRegisterConfig& r = server.registration;
	const std::string host = registeredHost(server);
	dns::Message update = dns::updateMessage(id, r.zone);
	auto& changes = update.authority;
	const auto replace = [&](const std::string& name, std::uint16_t type, std::vector<std::uint8_t> rdata) {
		changes.push_back(dns::deleteRrset(name, type));
		if (!withdraw) changes.push_back(dns::addRecord(name, type, r.ttl, std::move(rdata)));
	};
	for (const auto& domain: server.domains)
	{
		if (!isInZone(domain, r.zone)) continue;
		replace(domain, dns::TypeMx, dns::rdataMx(10, host));
		for (const auto& service: kMailServices)
		{
			const std::uint16_t port = server.*service.port;
			const std::string name = service.label + domain;
			if (port != 0)
				replace(name, dns::TypeSrv, dns::rdataSrv(0, 1, port, host));
			else
				changes.push_back(dns::deleteRrset(name, dns::TypeSrv)); // a port no longer offered
		}
	}
	if (isInZone(host, r.zone))
	{
		replace(host, dns::TypeA, dns::rdataA(registeredAddress(server)));
		replace(host, dns::TypeP, dns::rdataPort(server.smtp));
	}
	return update;
}


} // namespace mail
