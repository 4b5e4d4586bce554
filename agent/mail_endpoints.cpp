// mail_endpoints.cpp - SMTP/POP3 endpoint lookup through agent: and mail-dns.
#include "agent/mail_endpoints.h"

#include "common/dns_resolver.h"
#include "common/mail_address.h"
#include "agent/host_lookup.h"

#include <Poco/NumberParser.h>


namespace mail {


std::string Endpoint::toString() const
{
	return host + " (" + address + ":" + std::to_string(port) + ")";
}


Endpoint findEndpoint(const Config& config, const std::string& email, const std::string& hostOverride, bool smtp)
{
	const char* what = smtp ? "SMTP" : "POP3";
	Endpoint endpoint;
	endpoint.host = hostOverride;
	if (endpoint.host.empty())
	{
		const std::string domain = domainOf(email);
		const AgentEntry* entry = config.agentFor(domain);
		if (!entry)
			throw EndpointError("no " + std::string(what) + " host for " + domain + " under agent: in "
				+ config.path + " (use " + (smtp ? "-s" : "-P") + " HOST)");
		endpoint.host = smtp ? entry->smtpHost : entry->popHost;
	}
	std::size_t colon = endpoint.host.rfind(':');
	unsigned port = 0;
	if (colon != std::string::npos && Poco::NumberParser::tryParseUnsigned(endpoint.host.substr(colon + 1), port)
		&& port > 0 && port <= 65535)
	{
		std::string name = endpoint.host.substr(0, colon);
		try
		{
			endpoint.address = lookupHost(name, &config.dns).toString();
		}
		catch (const UnknownHost& e)
		{
			throw EndpointError(std::string(what) + " host: " + e.what());
		}
		endpoint.port = static_cast<std::uint16_t>(port);
		return endpoint;
	}
	Resolver resolver(config.dns.servers());
	auto answer = resolver.port(endpoint.host);
	if (!answer.ok())
		throw EndpointError("cannot find the " + std::string(what) + " port of " + endpoint.host + ": P query to mail-dns at "
			+ config.dns.serversText() + " gave " + toString(answer.status));
	endpoint.port = answer.value;
	try
	{
		endpoint.address = resolver.resolveAddress(endpoint.host);
	}
	catch (const Poco::Exception& e)
	{
		throw EndpointError("cannot find the address of " + endpoint.host + ": " + e.displayText());
	}
	return endpoint;
}


} // namespace mail
