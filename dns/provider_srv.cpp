// provider_srv.cpp - RFC 6186/8314 SRV records generated for every provider of the topology.
#include "dns/provider_srv.h"

#include "common/lookup/mail_services.h"


namespace mail {
namespace dns {


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
			for (const auto& service: kMailServices)
			{
				const std::uint16_t port = server.*service.port;
				std::string target = agent ? normalizeName(service.reading ? agent->popHost : agent->smtpHost) : mxHost;
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
