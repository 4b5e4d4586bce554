// mail_endpoints.cpp - SMTP/POP3/IMAP endpoint lookup through agent: and mail-dns.
#include "agent/mail_endpoints.h"

#include "common/lookup/dns_resolver.h"
#include "common/mail/mail_address.h"
#include "agent/host_lookup.h"

#include <Poco/NumberParser.h>


namespace mail {


std::string Endpoint::toString() const
{
	return host + " (" + address + ":" + std::to_string(port) + ")";
}


namespace {


/// "HOST:PORT" as given: HOST resolved like ping's HOST. False when host has no port.
bool explicitPort(const Config& config, const std::string& what, Endpoint& endpoint)
{
	std::size_t colon = endpoint.host.rfind(':');
	unsigned port = 0;
	if (colon == std::string::npos || !Poco::NumberParser::tryParseUnsigned(endpoint.host.substr(colon + 1), port)
		|| port == 0 || port > 65535)
		return false;
	std::string name = endpoint.host.substr(0, colon);
	try
	{
		endpoint.address = lookupHost(name, &config.dns).toString();
	}
	catch (const UnknownHost& e)
	{
		throw EndpointError(what + " host: " + e.what());
	}
	endpoint.port = static_cast<std::uint16_t>(port);
	return true;
}


void resolveTarget(const Resolver& resolver, Endpoint& endpoint)
{
	try
	{
		endpoint.address = resolver.resolveAddress(endpoint.host);
	}
	catch (const Poco::Exception& e)
	{
		throw EndpointError("cannot find the address of " + endpoint.host + ": " + e.displayText());
	}
}


/// HOST[:PORT]: the port given, or mail-dns's P record of HOST.
Endpoint hostEndpoint(const Config& config, const std::string& host, const std::string& what)
{
	Endpoint endpoint;
	endpoint.host = host;
	if (explicitPort(config, what, endpoint)) return endpoint;
	Resolver resolver(config.dns.servers());
	auto answer = resolver.port(endpoint.host);
	if (!answer.ok())
		throw EndpointError("cannot find the " + what + " port of " + endpoint.host + ": P query to mail-dns at "
			+ config.dns.serversText() + " gave " + toString(answer.status));
	endpoint.port = answer.value;
	resolveTarget(resolver, endpoint);
	return endpoint;
}


} // namespace


Endpoint findEndpoint(const Config& config, const std::string& email, const std::string& hostOverride, bool smtp)
{
	const std::string what = smtp ? "SMTP" : "POP3";
	if (!hostOverride.empty()) return hostEndpoint(config, hostOverride, what);
	const std::string domain = domainOf(email);
	const AgentEntry* entry = config.agentFor(domain);
	if (!entry)
		throw EndpointError("no " + what + " host for " + domain + " under agent: in " + config.path + " (use "
			+ (smtp ? "-s" : "-P") + " HOST)");
	return hostEndpoint(config, smtp ? entry->smtpHost : entry->popHost, what);
}


Endpoint findImapEndpoint(const Config& config, const std::string& email, const std::string& hostOverride, bool implicitTls)
{
	if (!hostOverride.empty()) return hostEndpoint(config, hostOverride, "IMAP");
	const std::string name = (implicitTls ? "_imaps._tcp." : "_imap._tcp.") + domainOf(email);
	Resolver resolver(config.dns.servers());
	const auto answer = resolver.srv(name);
	if (!answer.ok())
		throw EndpointError("cannot find the IMAP server of " + domainOf(email) + ": SRV query for " + name + " to mail-dns at "
			+ config.dns.serversText() + " gave " + toString(answer.status) + " (use -I HOST:PORT)");
	Endpoint endpoint;
	endpoint.host = answer.value.front().target;
	endpoint.port = answer.value.front().port;
	resolveTarget(resolver, endpoint);
	return endpoint;
}


} // namespace mail
