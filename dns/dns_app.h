// dns_app.h - the mail-dns process: options, config and zone loading, signals.
#pragma once

#include <Poco/Util/ServerApplication.h>

#include <cstdint>
#include <memory>
#include <string>


namespace mail {

struct Config;
struct Zone;

namespace dns {


class ZoneIndex;


class DnsApp: public Poco::Util::ServerApplication
/// `mail-dns [--conf FILE] [--zone FILE] [--listen HOST:PORT] [--threads N]` (SPEC.md),
/// or `mail-dns --export-zone [--origin NAME]`: print the zone as a master file and exit.
/// Loads and checks config and zone before binding; then waits for signals in the main
/// thread (all of them are blocked elsewhere): SIGHUP reloads the zone and dns.faults, SIGTERM, SIGINT
/// and SIGQUIT stop it with status 0.
{
protected:
	void defineOptions(Poco::Util::OptionSet& options) override;
	int main(const std::vector<std::string>& args) override;

private:
	void handleHelp(const std::string& name, const std::string& value);
	void handleOption(const std::string& name, const std::string& value) override;
	void displayHelp();
	static std::shared_ptr<const ZoneIndex> indexOf(const Zone& fileZone, const Config& config);
	/// The zone served: the file's records plus the SRV records generated for config's providers.
	int faultCommand(const std::vector<std::string>& args); ///< `fault add|list|clear` through the control socket
	std::string controlPath(std::uint16_t port) const;      ///< --control, else mail-dns-PORT.sock beside the config
	int exportZone(const Config& config);                   ///< --export-zone, once _zonePath is known (config: its providers' SRV)

	bool _helpRequested = false;
	bool _confGiven = false;
	std::string _confPath = "conf/mail.yaml";
	std::string _zonePath;    ///< --zone, else the config's dns.zone
	std::string _listen;      ///< --listen, else the config's dns.listen
	std::string _threads;     ///< --threads, else one per core
	std::string _journalPath; ///< --journal: dns.query events to this file
	std::string _control;     ///< --control, else controlPath()'s default
	bool _exportZone = false;
	bool _originGiven = false;
	std::string _origin; ///< --origin, else the common parent of the zone's names
};


} // namespace dns
} // namespace mail
