// dns_app.cpp - the mail-dns process: options, config and zone loading, signals.
#include "dns/dns_app.h"

#include "common/config/config.h"
#include "common/config/config_registry_same.h"
#include "common/journal/journal_file.h"
#include "common/ops/control_socket.h"
#include "dns/dns_faults.h"
#include "dns/dns_server.h"
#include "common/base/errors.h"
#include "common/ops/log.h"
#include "common/config/zone.h"
#include "common/config/yaml_checks.h"
#include "dns/provider_srv.h"
#include "dns/update_handler.h"
#include "dns/zone_export.h"
#include "dns/zone_index.h"

#include <Poco/File.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <iostream>
#include <thread>

using Poco::Logger;
using Poco::Net::SocketAddress;
using Poco::Util::HelpFormatter;
using Poco::Util::Option;
using Poco::Util::OptionCallback;
using Poco::Util::OptionSet;


namespace mail {
namespace dns {


namespace {


const unsigned MaxWorkers = 64;


int usageError(const std::string& message)
{
	std::cerr << "mail-dns: " << message << " (try --help)" << std::endl;
	return ExitUsage;
}


bool parseListen(const std::string& text, SocketAddress& address)
/// "HOST:PORT" with a numeric port; the host may be a name or an IPv4 address.
{
	const std::size_t colon = text.rfind(':');
	unsigned port = 0;
	if (colon == std::string::npos || colon == 0
		|| !Poco::NumberParser::tryParseUnsigned(text.substr(colon + 1), port) || port > 0xFFFF)
		return false;
	try
	{
		address = SocketAddress(text.substr(0, colon), static_cast<std::uint16_t>(port));
		return true;
	}
	catch (const Poco::Exception&)
	{
		return false;
	}
}


} // namespace


void DnsApp::defineOptions(OptionSet& options)
{
	ServerApplication::defineOptions(options);
	options.addOption(Option("help", "h", "display this help and exit")
						  .required(false)
						  .repeatable(false)
						  .callback(OptionCallback<DnsApp>(this, &DnsApp::handleHelp)));
	options.addOption(Option("conf", "c", "configuration file (default conf/mail.yaml)")
						  .required(false)
						  .repeatable(false)
						  .argument("FILE"));
	options.addOption(Option("zone", "", "zone file (default: dns.zone of the configuration)")
						  .required(false)
						  .repeatable(false)
						  .argument("FILE"));
	options.addOption(Option("listen", "", "UDP and TCP address to answer on (default: dns.listen of the configuration)")
						  .required(false)
						  .repeatable(false)
						  .argument("HOST:PORT"));
	options.addOption(Option("journal", "", "append dns.query events (sampled) to FILE, rotated at 10 MB (default: memory only)")
						  .required(false)
						  .repeatable(false)
						  .argument("FILE"));
	options.addOption(Option("export-zone", "", "print the zone as an RFC 1035 master file (for NSD, BIND, Knot) and exit")
						  .required(false)
						  .repeatable(false));
	options.addOption(Option("origin", "", "with --export-zone: the zone's origin (default: the common parent of its names)")
						  .required(false)
						  .repeatable(false)
						  .argument("NAME"));
	options.addOption(Option("threads", "", "worker threads, each with its own socket (default: one per core)")
						  .required(false)
						  .repeatable(false)
						  .argument("N"));
	options.addOption(Option("control", "", "control socket of `fault ...` (default: mail-dns-PORT.sock beside the configuration)")
						  .required(false)
						  .repeatable(false)
						  .argument("PATH"));
}


void DnsApp::handleOption(const std::string& name, const std::string& value)
{
	ServerApplication::handleOption(name, value);
	if (name == "conf")
	{
		_confPath = value;
		_confGiven = true;
	}
	else if (name == "zone") _zonePath = value;
	else if (name == "listen") _listen = value;
	else if (name == "threads") _threads = value;
	else if (name == "journal") _journalPath = value;
	else if (name == "control") _control = value;
	else if (name == "export-zone") _exportZone = true;
	else if (name == "origin")
	{
		_origin = value;
		_originGiven = true;
	}
}


void DnsApp::handleHelp(const std::string&, const std::string&)
{
	_helpRequested = true;
	stopOptionsProcessing();
}


void DnsApp::displayHelp()
{
	HelpFormatter help(options());
	help.setCommand("mail-dns");
	help.setUsage(
		"[--conf FILE] [--zone FILE] [--listen HOST:PORT] [--threads N] [--journal FILE] [--control PATH] | --export-zone [--origin NAME]\n"
		"       mail-dns [--conf FILE] [--listen HOST:PORT] [--control PATH] fault add RULE-YAML | fault list | fault clear");
	help.setHeader(
		"Pseudo-DNS daemon: answers MX, A, P (TYPE65280) and SRV queries from the zone file over UDP and TCP,\n"
		"and with dns.updates accepts TSIG-signed dynamic updates (RFC 2136) and writes them to the zone file.\n"
		"SIGHUP reloads the zone and dns.faults; SIGTERM or SIGINT stops it.");
	help.format(std::cout);
}


std::shared_ptr<const ZoneIndex> DnsApp::indexOf(const Zone& fileZone, const Config& config)
{
	return std::make_shared<const ZoneIndex>(withProviderSrv(fileZone, config));
}


std::string DnsApp::controlPath(std::uint16_t port) const
{
	if (!_control.empty()) return _control;
	return Poco::Path(Poco::Path(_confPath).absolute()).parent().toString() + "mail-dns-" + std::to_string(port) + ".sock";
}


int DnsApp::faultCommand(const std::vector<std::string>& args)
{
	const bool known = (args.size() == 2 && (args[1] == "list" || args[1] == "clear")) || (args.size() == 3 && args[1] == "add");
	if (!known) return usageError("usage: mail-dns [--conf FILE] fault add RULE-YAML | fault list | fault clear");
	SocketAddress address;
	if (!_listen.empty() && !parseListen(_listen, address))
		return usageError("--listen: expected HOST:PORT, got '" + _listen + "'");
	if (_control.empty() && _listen.empty())
	{
		try
		{
			const Config config = loadConfig(_confPath);
			address = SocketAddress(config.dns.host, config.dns.port);
		}
		catch (const ConfigError& exc)
		{
			std::cerr << "mail-dns: " << exc.what() << std::endl;
			return ExitConfig;
		}
	}
	std::string request = "fault " + args[1];
	if (args.size() == 3) request += " " + Poco::translate(args[2], "\r\n", "  ");
	return sendControlRequest("mail-dns", controlPath(address.port()), request, std::cout, std::cerr);
}


int DnsApp::exportZone(const Config& config)
{
	const Zone zone = withProviderSrv(loadZone(_zonePath), config);
	const std::string origin = _originGiven ? normalizeName(_origin) : defaultOrigin(zone);
	// The serial only has to grow when the zone changes: the file's modification time does.
	const auto serial = static_cast<std::uint32_t>(Poco::File(_zonePath).getLastModified().epochTime());
	const ExportedZone exported = dns::exportZone(zone, origin, ZoneIndex::DefaultTtl, serial);
	std::cout << exported.text << std::flush;
	for (const auto& name: exported.outside)
		std::cerr << "mail-dns: left out " << name << ": outside the origin " << (origin.empty() ? "." : origin) << std::endl;
	return ExitOk;
}


int DnsApp::main(const std::vector<std::string>& args)
{
	if (_helpRequested)
	{
		displayHelp();
		return ExitOk;
	}
	if (!args.empty() && args.front() == "fault") return faultCommand(args);
	if (!args.empty()) return usageError("unexpected argument '" + args.front() + "'");
	unsigned workers = std::max(1u, std::thread::hardware_concurrency());
	if (!_threads.empty() && (!Poco::NumberParser::tryParseUnsigned(_threads, workers) || workers == 0 || workers > MaxWorkers))
		return usageError("--threads: expected 1 to " + std::to_string(MaxWorkers) + ", got '" + _threads + "'");
	SocketAddress address;
	if (!_listen.empty() && !parseListen(_listen, address))
		return usageError("--listen: expected HOST:PORT, got '" + _listen + "'");
	if (_originGiven && !_exportZone) return usageError("--origin is for --export-zone");
	if (_originGiven && _origin != "." && !isValidDomainName(_origin))
		return usageError("--origin: expected a domain name, got '" + _origin + "'");

	// The configuration is needed unless both of its DNS settings come from flags.
	Config config;
	Zone fileZone; ///< as the file holds it (what an UPDATE changes and writes back)
	std::shared_ptr<const ZoneIndex> zone;
	const bool usesConfig = _confGiven || _zonePath.empty() || _listen.empty();
	try
	{
		if (_exportZone && !_confGiven && !_zonePath.empty()) return exportZone(config);
		if (usesConfig)
		{
			config = loadConfig(_confPath);
			if (_zonePath.empty()) _zonePath = config.dns.zonePath;
			if (_listen.empty()) address = SocketAddress(config.dns.host, config.dns.port);
		}
		if (_exportZone) return exportZone(config);
		fileZone = loadZone(_zonePath);
		zone = indexOf(fileZone, config);
	}
	catch (const ConfigError& exc)
	{
		std::cerr << "mail-dns: " << exc.what() << std::endl;
		return ExitConfig;
	}
	setupLogging(config.logging, "mail-dns");
	Logger& log = Logger::get("dns");

	DnsFaults faults(config.dns.faults);
	DnsServer server(address, workers, zone);
	server.setFaults(&faults);
	server.setBusyPoll(std::chrono::microseconds(config.dns.busyPollUs));
	std::unique_ptr<UpdateHandler> updates;
	if (!config.dns.updates.empty())
	{
		updates = std::make_unique<UpdateHandler>(config.dns.updates, _zonePath, fileZone,
			[&server, &config](const Zone& changed) { server.setZone(indexOf(changed, config)); });
		server.setUpdates(updates.get());
	}
	std::unique_ptr<Journal> journal;
	std::unique_ptr<QueryJournal> queries;
	try
	{
		// journal.keep 0 (top level) turns it off, as in mail-server.
		if (config.journal.keep > 0)
		{
			journal = std::make_unique<Journal>("mail-dns", config.journal.keep,
				_journalPath.empty() ? nullptr : std::make_unique<JournalFile>(_journalPath));
			queries = std::make_unique<QueryJournal>(*journal);
			server.setJournal(queries.get());
		}
		server.start();
	}
	catch (const Poco::Exception& exc)
	{
		log.fatal("- cannot start listen=%s error=%s", address.toString(), exc.displayText());
		return ExitUnavailable;
	}
	log.information("- started listen=%s workers=%u zone=%s names=%z",
		server.address().toString(), server.workers(), _zonePath, zone->names());
	ControlSocket control(controlPath(address.port() ? address.port() : server.address().port()),
		[&](const std::string& request) { return handleDnsFaultRequest(faults, request); });
	try
	{
		control.start();
	}
	catch (const Poco::Exception& exc)
	{
		log.warning("- no control socket, `mail-dns fault` will not reach this daemon path=%s error=%s", control.path(),
			exc.displayText());
	}
	// Readiness for scripts (start.sh), whatever the log level or destination.
	std::cout << "mail-dns: ready listen=" << server.address().toString() << std::endl;

	// Signals are blocked in every thread (runApplication); this one takes them in turn.
	sigset_t signals;
	sigemptyset(&signals);
	for (const int s: {SIGHUP, SIGTERM, SIGINT, SIGQUIT}) sigaddset(&signals, s);
	int signal = 0;
	while (sigwait(&signals, &signal) == 0 && signal == SIGHUP)
	{
		try
		{
			fileZone = loadZone(_zonePath);
			zone = indexOf(fileZone, config);
			server.setZone(zone);
			if (updates) updates->reload(fileZone);
			log.information("- reloaded zone=%s names=%z", _zonePath, zone->names());
			if (usesConfig)
			{
				const Config reloaded = loadConfig(_confPath);
				faults.replace(reloaded.dns.faults);
				log.information("- reloaded faults rules=%z", reloaded.dns.faults.rules.size());
				// The UPDATE handler is made at start from dns.updates, as mail-server's restart keys are.
				if (!sameUpdates(reloaded.dns.updates, config.dns.updates))
					log.warning("- reload: dns.updates changed in %s; it needs a restart, the running value is kept", _confPath);
				if (reloaded.dns.busyPollUs != config.dns.busyPollUs)
					log.warning("- reload: dns.busy_poll_us changed in %s; it needs a restart, the running value is kept", _confPath);
			}
		}
		catch (const ConfigError& exc)
		{
			log.error("- reload failed, keeping the old zone or faults: %s", std::string(exc.what()));
		}
	}
	control.stop();
	faults.stop(); // before the workers' sockets close: it sends delayed replies on them
	server.stop();
	const char* name = signal == SIGTERM ? "TERM" : signal == SIGINT ? "INT"
		: signal == SIGQUIT                                          ? "QUIT"
																	 : "?";
	log.information("- stopped signal=%s queries=%Lu", std::string(name), static_cast<Poco::UInt64>(server.queries()));
	return ExitOk;
}


} // namespace dns
} // namespace mail
