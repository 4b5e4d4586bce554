// journey_command.cpp - `mail-agent journey`: the servers of the config, asked over HTTP.
#include "agent/journey_command.h"

#include "agent/journey_text.h"
#include "common/journal/journey.h"


namespace mail {


namespace {


constexpr std::chrono::milliseconds kAskTimeout{2000}; ///< per server: one that hangs is listed, not waited for


} // namespace


int runJourney(const Config& config, const std::string& messageId, std::ostream& out, std::ostream& err)
{
	std::vector<JourneySource> sources;
	for (const ServerConfig& server: config.servers)
	{
		if (!server.http.enabled()) continue;
		// A server listening on every address is asked on loopback.
		const std::string host = server.http.address == "0.0.0.0" ? "127.0.0.1" : server.http.address;
		sources.push_back(JourneySource{server.name, httpEventFetch(host, server.http.port, kAskTimeout)});
	}
	if (sources.empty())
	{
		err << "mail-agent: journey: no server in " << config.path << " has an http: port" << std::endl;
		return 1;
	}
	const Journey journey = gatherJourney(normalizeMessageId(messageId), sources);
	out << formatJourney(journey);
	return journey.events.empty() ? 1 : 0;
}


} // namespace mail
