// config.cpp - lookups on the loaded configuration, and duration parsing.
#include "common/config/config.h"

#include "common/mail/mail_address.h"

#include <Poco/String.h>

#include <algorithm>
#include <limits>
#include <stdexcept>


namespace mail {


namespace {


/// "User@Example.COM" -> "User@example.com": the local part keeps its case (RFC 5321 2.4),
/// the domain does not matter.
std::string canonicalAddress(const std::string& address)
{
	const std::string domain = domainOf(address);
	return address.substr(0, address.size() - domain.size()) + Poco::toLower(domain);
}


} // namespace


const char* toString(RelayTls mode)
{
	switch (mode)
	{
	case RelayTls::Opportunistic: return "opportunistic";
	case RelayTls::Verify: return "verify";
	case RelayTls::None: return "none";
	}
	return "unknown";
}


bool ServerConfig::isLocalDomain(const std::string& domain) const
{
	const std::string lower = Poco::toLower(domain);
	return std::find(domains.begin(), domains.end(), lower) != domains.end();
}


bool ServerConfig::isRelayDomain(const std::string& domain) const
{
	const std::string lower = Poco::toLower(domain);
	return std::find(relayDomains.begin(), relayDomains.end(), lower) != relayDomains.end();
}


bool ServerConfig::hasAccount(const std::string& address) const
{
	return password(address) != nullptr;
}


const std::string* ServerConfig::password(const std::string& address) const
{
	auto it = accounts.find(canonicalAddress(address));
	return it == accounts.end() ? nullptr : &it->second;
}


const std::string* ServerConfig::accountKey(const std::string& user) const
{
	auto it = accounts.find(canonicalAddress(user));
	return it == accounts.end() ? nullptr : &it->first;
}


bool ServerConfig::addAccount(const std::string& address, const std::string& password)
{
	const std::string key = canonicalAddress(address);
	if (!accountIndex.emplace(Poco::toLower(key), key).second) return false;
	accounts.emplace(key, password);
	return true;
}


const std::string* ServerConfig::accountFor(const std::string& address) const
{
	auto it = accountIndex.find(Poco::toLower(address));
	return it == accountIndex.end() ? nullptr : &it->second;
}


std::vector<DnsServerAddress> DnsConfig::servers() const
{
	if (!resolvers.empty()) return resolvers;
	return {DnsServerAddress{host, port}};
}


std::string DnsConfig::serversText() const
{
	std::string text;
	for (const auto& server: servers())
		text += (text.empty() ? "" : ", ") + server.host + ":" + std::to_string(server.port);
	return text;
}


const ServerConfig* Config::server(const std::string& name) const
{
	for (const auto& s: servers)
	{
		if (s.name == name) return &s;
	}
	return nullptr;
}


const AgentEntry* Config::agentFor(const std::string& domain) const
{
	auto it = agent.find(Poco::toLower(domain));
	return it == agent.end() ? nullptr : &it->second;
}


Seconds parseDuration(const std::string& text)
{
	if (text.size() < 2) throw std::invalid_argument("expected a duration like 30s, 5m, 2h or 5d, got '" + text + "'");
	const char unit = text.back();
	long long factor = 0;
	switch (unit)
	{
	case 's': factor = 1; break;
	case 'm': factor = 60; break;
	case 'h': factor = 3600; break;
	case 'd': factor = 86400; break;
	default:
		throw std::invalid_argument("expected a duration with unit s, m, h or d, got '" + text + "'");
	}
	long long value = 0;
	for (std::size_t i = 0; i + 1 < text.size(); ++i)
	{
		const char c = text[i];
		if (c < '0' || c > '9') throw std::invalid_argument("expected a duration like 30s, 5m, 2h or 5d, got '" + text + "'");
		value = value * 10 + (c - '0');
		// Bound the digits first (no overflow), then the value with its unit: 200000000d
		// once passed the digit check and overflowed every timeout built from it.
		if (value > kMaxDuration.count())
			throw std::invalid_argument("duration too long: '" + text + "' (at most 365d)");
	}
	if (value * factor > kMaxDuration.count())
		throw std::invalid_argument("duration too long: '" + text + "' (at most 365d)");
	return Seconds(value * factor);
}


} // namespace mail
