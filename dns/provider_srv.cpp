// provider_srv.cpp - RFC 6186/8314 SRV records generated for every provider of the topology.
#include "dns/provider_srv.h"


namespace mail {
namespace dns {


namespace {


struct Service
{
	const char* label;                 ///< RFC 6186 (submission, pop3, imap) and RFC 8314 (the TLS ones)
	std::uint16_t ServerConfig::*port; ///< 0: the server does not offer it
	bool popSide;                      ///< target: the agent's pop host, not its smtp host
};

// The IMAP services (`_imap._tcp`, `_imaps._tcp`) join this table with the server's
// imap/imaps ports when the configuration has them.
const Service Services[] = {
	{"_submission._tcp.", &ServerConfig::smtp, false},
	{"_submissions._tcp.", &ServerConfig::smtps, false},
	{"_pop3._tcp.", &ServerConfig::pop, true},
	{"_pop3s._tcp.", &ServerConfig::pops, true},
};


} // namespace


Zone withProviderSrv(Zone zone, const Config& config)
{
	const Zone& file = zone;
	std::map<std::string, std::vector<SrvRecord>> generated;
	for (const auto& server: config.servers)
		for (const auto& domain: server.domains)
		{
			const AgentEntry* agent = config.agentFor(domain);
			const auto mx = file.mx.find(domain);
			const std::string mxHost = (mx != file.mx.end() && !mx->second.empty()) ? mx->second.front().host : "";
			for (const auto& service: Services)
			{
				const std::uint16_t port = server.*service.port;
				std::string target = agent ? normalizeName(service.popSide ? agent->popHost : agent->smtpHost) : mxHost;
				const std::string name = service.label + domain;
				if (port == 0 || target.empty() || file.srv.count(name)) continue;
				generated[name].push_back(SrvRecord{0, 1, port, target});
			}
		}
	for (auto& [name, records]: generated) zone.srv.emplace(name, std::move(records));
	return zone;
}


} // namespace dns
} // namespace mail
