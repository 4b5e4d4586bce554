// api_info_routes.cpp - GET /api/v1/info and /api/v1/topology: the config and its zone as JSON.
#include "common/base/errors.h"
#include "common/base/ipv4.h"
#include "common/base/version.h"
#include "common/config/zone.h"
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/server_context.h"

#include <set>


namespace mail {


namespace {


Poco::JSON::Object::Ptr portsOf(const ServerConfig& server)
{
	Poco::JSON::Object::Ptr ports = jsonObject();
	ports->set("smtp", server.smtp);
	ports->set("pop", server.pop);
	ports->set("smtps", server.smtps);
	ports->set("pops", server.pops);
	ports->set("http", server.http.port);
	return ports;
}


Poco::JSON::Array::Ptr stringArray(const std::vector<std::string>& items)
{
	Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
	for (const auto& item: items) array->add(item);
	return array;
}


Zone readZone(const Config& config)
/// Read per request: mail-dns may have been started with a newer zone than this
/// process saw at start, and the file is small.
{
	try
	{
		return loadZone(config.dns.zonePath);
	}
	catch (const ConfigError& exc)
	{
		throw HttpError(503, std::string("zone file unreadable: ") + exc.what());
	}
}


Poco::JSON::Object::Ptr record(const std::string& name, const char* type, const std::string& value)
{
	Poco::JSON::Object::Ptr item = jsonObject();
	item->set("name", name);
	item->set("type", type);
	item->set("value", value);
	return item;
}


Poco::JSON::Array::Ptr recordsFor(const Zone& zone, const ServerConfig& server)
/// The zone's records that lead to this server: hosts whose P port is one of its ports
/// and whose address (A, else 127.0.0.1) is its address, their A records, and the MX
/// records naming them.
{
	const std::set<std::uint16_t> ports = {server.smtp, server.pop, server.smtps, server.pops};
	const bool anyAddress = server.address == "0.0.0.0";
	std::set<std::string> hosts;
	for (const auto& p: zone.p)
	{
		const auto a = zone.a.find(p.first);
		const auto addresses = hostAddresses(a == zone.a.end() ? std::vector<std::uint32_t>() : a->second, true);
		bool here = anyAddress;
		for (std::uint32_t address: addresses) here = here || formatIpv4(address) == server.address;
		if (ports.count(p.second) && p.second != 0 && here) hosts.insert(p.first);
	}
	Poco::JSON::Array::Ptr records = new Poco::JSON::Array;
	for (const auto& mx: zone.mx)
	{
		for (const auto& exchanger: mx.second)
		{
			if (!hosts.count(exchanger.host)) continue;
			Poco::JSON::Object::Ptr item = record(mx.first, "MX", exchanger.host);
			item->set("preference", exchanger.preference);
			records->add(item);
		}
	}
	for (const auto& host: hosts)
	{
		records->add(record(host, "P", std::to_string(zone.p.at(host))));
		const auto a = zone.a.find(host);
		if (a == zone.a.end()) continue;
		for (std::uint32_t address: a->second) records->add(record(host, "A", formatIpv4(address)));
	}
	return records;
}


Poco::JSON::Array::Ptr allRecords(const Zone& zone)
{
	Poco::JSON::Array::Ptr records = new Poco::JSON::Array;
	for (const auto& mx: zone.mx)
	{
		for (const auto& exchanger: mx.second)
		{
			Poco::JSON::Object::Ptr item = record(mx.first, "MX", exchanger.host);
			item->set("preference", exchanger.preference);
			records->add(item);
		}
	}
	for (const auto& p: zone.p) records->add(record(p.first, "P", std::to_string(p.second)));
	for (const auto& a: zone.a)
	{
		for (std::uint32_t address: a.second) records->add(record(a.first, "A", formatIpv4(address)));
	}
	return records;
}


std::string httpUrl(const ServerConfig& server)
{
	return server.http.enabled() ? "http://" + server.http.address + ":" + std::to_string(server.http.port) : "";
}


void info(HttpApi& api, Poco::Net::HTTPServerResponse& response)
{
	const std::shared_ptr<const ServerConfig> current = api.context.current(); // accounts follow SIGHUP
	const ServerConfig& server = *current;
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("server", server.name);
	body->set("version", std::string(projectVersion()));
	body->set("address", server.address);
	body->set("domains", stringArray(server.domains));
	body->set("ports", portsOf(server));
	std::vector<std::string> accounts;
	for (const auto& account: server.accounts) accounts.push_back(account.first);
	body->set("accounts", stringArray(accounts));
	body->set("dns", recordsFor(readZone(api.context.config), server));
	sendJson(response, body);
}


void topology(HttpApi& api, Poco::Net::HTTPServerResponse& response)
{
	const Config& config = api.context.config;
	Poco::JSON::Array::Ptr providers = new Poco::JSON::Array;
	for (const auto& server: config.servers)
	{
		Poco::JSON::Object::Ptr provider = jsonObject();
		provider->set("server", server.name);
		provider->set("address", server.address);
		provider->set("domains", stringArray(server.domains));
		provider->set("ports", portsOf(server));
		const std::string url = httpUrl(server);
		provider->set("http", url.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(url));
		providers->add(provider);
	}
	Poco::JSON::Object::Ptr dns = jsonObject();
	dns->set("listen", config.dns.host + ":" + std::to_string(config.dns.port));
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("providers", providers);
	body->set("dns", dns);
	body->set("records", allRecords(readZone(config)));
	sendJson(response, body);
}


} // namespace


void registerInfoRoutes(HttpRouter& router, HttpApi& api)
{
	router.add("GET", "/api/v1/info", [&api](RouteRequest&, Poco::Net::HTTPServerResponse& response) { info(api, response); });
	router.add("GET", "/api/v1/topology",
		[&api](RouteRequest&, Poco::Net::HTTPServerResponse& response) { topology(api, response); });
}


} // namespace mail
