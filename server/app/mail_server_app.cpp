// mail_server_app.cpp - the mail-server process: one provider's SMTP, POP3 and relay.
#include "server/app/mail_server_app.h"

#include "common/config/config.h"
#include "common/ops/control_socket.h"
#include "common/base/errors.h"
#include "common/ops/log.h"
#include "server/config_reload.h"
#include "server/control/control_service.h"
#include "server/control/instance_lock.h"
#include "server/mail/delivery.h"
#include "server/faults/fault_rules.h"
#include "server/console/console_routes.h"
#include "server/http/http_api.h"
#include "server/http/http_service.h"
#include "server/imap/imap_session.h"
#include "server/registry/dns_registrar.h"
#include "server/net/fd_limit.h"
#include "server/net/session_service.h"
#include "server/net/tls_context.h"
#include "server/pop3/pop3_session.h"
#include "server/store/queue/relay_queue.h"
#include "server/relay/relay_service.h"
#include "server/journal/journal_events.h"
#include "server/journal/server_journal.h"
#include "server/server_context.h"
#include "server/smtp/smtp_session.h"
#include "server/store/maildir_store.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/IntValidator.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>
#include <memory>
#include <vector>

#include <signal.h>

using Poco::Util::HelpFormatter;
using Poco::Util::Option;
using Poco::Util::OptionCallback;
using Poco::Util::OptionSet;


namespace mail {


void MailServerApp::defineOptions(OptionSet& options)
{
	// Not ServerApplication's: its --daemon, --umask and --pidfile are not offered
	// (scripts/start.sh runs servers in the background and writes their pid files).
	Application::defineOptions(options); // NOLINT(bugprone-parent-virtual-call): skipping ServerApplication is the point
	options.addOption(Option("help", "h", "display this help and exit")
						  .required(false)
						  .repeatable(false)
						  .callback(OptionCallback<MailServerApp>(this, &MailServerApp::handleHelp)));
	options.addOption(Option("name", "n", "the server to run: a key under `servers:` in the config")
						  .required(false)
						  .repeatable(false)
						  .argument("NAME"));
	options.addOption(Option("conf", "c", "configuration file (default conf/mail.yaml)")
						  .required(false)
						  .repeatable(false)
						  .argument("FILE"));
	options.addOption(Option("data", "d", "directory for everything the server writes, under DIR/NAME/ (default var/)")
						  .required(false)
						  .repeatable(false)
						  .argument("DIR"));
	options.addOption(Option("list-servers", "",
		"print the topology of the config and exit: one line "
		"`dns HOST PORT`, then per server `server NAME ADDRESS SMTP POP SMTPS POPS` (0: no port)")
						  .required(false)
						  .repeatable(false));
	options.addOption(Option("check", "", "validate the configuration (and -n NAME when given), exit 0 or 78")
						  .required(false)
						  .repeatable(false));
	options.addOption(Option("version", "", "print the version and exit").required(false).repeatable(false));
	options.addOption(Option("json", "", "queue: print the queue as JSON").required(false).repeatable(false));
	options.addOption(Option("all", "", "queue retry: every waiting message").required(false).repeatable(false));
}


void MailServerApp::handleOption(const std::string& name, const std::string& value)
{
	ServerApplication::handleOption(name, value);
	if (name == "name") _name = value;
	else if (name == "conf") _confPath = value;
	else if (name == "data") _dataDir = value;
	else if (name == "list-servers") _listServers = true;
	else if (name == "check") _check = true;
	else if (name == "json") _json = true;
	else if (name == "all") _all = true;
}


void MailServerApp::handleHelp(const std::string&, const std::string&)
{
	_helpRequested = true;
	stopOptionsProcessing();
}


void MailServerApp::displayHelp()
{
	HelpFormatter help(options());
	help.setCommand("mail-server");
	help.setUsage(
		"-n NAME [--conf FILE] [--data DIR] | --check [--conf FILE] [-n NAME] | --version\n"
		"       mail-server -n NAME [--data DIR] queue [--json] | queue retry ID|--all |\n"
		"                   queue delete ID | queue hold ID | queue release ID |\n"
		"                   fault add RULE-YAML | fault list | fault clear");
	help.setHeader("One mail provider: an SMTP server, a POP3 server and a relay queue.");
	help.format(std::cout);
}


bool MailServerApp::readConfig(Config& config) const
{
	try
	{
		config = loadConfig(_confPath);
		return true;
	}
	catch (const ConfigError& exc)
	{
		std::cerr << "mail-server: " << exc.what() << std::endl;
		return false;
	}
}


int MailServerApp::listServers()
{
	Config config;
	if (!readConfig(config)) return ExitConfig;
	std::cout << "dns " << config.dns.host << " " << config.dns.port << "\n";
	for (const auto& s: config.servers)
	{
		std::cout << "server " << s.name << " " << s.address << " " << s.smtp << " " << s.pop << " " << s.smtps
				  << " " << s.pops << "\n";
	}
	std::cout.flush();
	return ExitOk;
}


int MailServerApp::check()
{
	Config config;
	if (!readConfig(config)) return ExitConfig;
	if (!_name.empty() && !config.server(_name))
	{
		std::cerr << "mail-server: " << _confPath << ": servers: no server named '" << _name << "'" << std::endl;
		return ExitConfig;
	}
	std::cout << "mail-server: " << _confPath << ": ok (" << config.servers.size() << " servers)" << std::endl;
	return ExitOk;
}


std::string MailServerApp::dataDir() const
{
	return Poco::Path(Poco::Path(_dataDir).absolute()).append(Poco::Path(_name)).toString();
}


int MailServerApp::queueCommand(const std::vector<std::string>& args)
{
	const std::string usage =
		"usage: mail-server -n NAME queue [--json] | queue retry ID|--all | queue delete ID | "
		"queue hold ID | queue release ID";
	if (_name.empty())
	{
		std::cerr << "mail-server: -n NAME is required (" << usage << ")" << std::endl;
		return ExitUsage;
	}
	std::string request;
	if (args.size() == 1 && !_all) request = _json ? "queue --json" : "queue";
	else if (args.size() == 2 && args[1] == "retry" && _all && !_json) request = "retry --all";
	else if (args.size() == 3 && !_all && !_json
		&& (args[1] == "retry" || args[1] == "delete" || args[1] == "hold" || args[1] == "release"))
		request = args[1] + " " + args[2];
	else
	{
		std::cerr << "mail-server: " << usage << std::endl;
		return ExitUsage;
	}
	return sendControlRequest("mail-server", ControlService::socketPath(dataDir()), request, std::cout, std::cerr);
}


int MailServerApp::faultCommand(const std::vector<std::string>& args)
{
	const std::string usage = "usage: mail-server -n NAME fault add RULE-YAML | fault list | fault clear";
	const bool known = (args.size() == 2 && (args[1] == "list" || args[1] == "clear")) || (args.size() == 3 && args[1] == "add");
	if (_name.empty() || !known || _json || _all)
	{
		std::cerr << "mail-server: " << usage << std::endl;
		return ExitUsage;
	}
	// One line on the socket: a rule written over several lines is the same rule in one.
	std::string request = args[1];
	if (args.size() == 3) request += " " + Poco::translate(args[2], "\r\n", "  ");
	return sendControlRequest("mail-server", ControlService::socketPath(dataDir()), "fault " + request, std::cout, std::cerr);
}


int MailServerApp::main(const std::vector<std::string>& args)
{
	if (_helpRequested)
	{
		displayHelp();
		return ExitOk;
	}
	if (!args.empty() && args.front() == "queue") return queueCommand(args);
	if (!args.empty() && args.front() == "fault") return faultCommand(args);
	if (_json || _all)
	{
		std::cerr << "mail-server: --json and --all go with queue (try --help)" << std::endl;
		return ExitUsage;
	}
	if (!args.empty())
	{
		std::cerr << "mail-server: unexpected argument '" << args.front() << "' (try --help)" << std::endl;
		return ExitUsage;
	}
	if (_listServers) return listServers();
	if (_check) return check();
	if (_name.empty())
	{
		std::cerr << "mail-server: -n NAME is required (try --help)" << std::endl;
		return ExitUsage;
	}

	Config config;
	if (!readConfig(config)) return ExitConfig;
	const ServerConfig* server = config.server(_name);
	if (!server)
	{
		std::string known;
		for (const auto& s: config.servers) known += (known.empty() ? "" : ", ") + s.name;
		std::cerr << "mail-server: " << _confPath << ": servers: no server named '" << _name
				  << "' (known: " << known << ")" << std::endl;
		return ExitUsage;
	}
	setupLogging(server->logging, "mail-server");
	Poco::Logger& log = Poco::Logger::get("app");
	const std::size_t fdLimit = raiseDescriptorLimit();
	if (fdLimit < descriptorsNeeded(*server))
	{
		log.warning(
			"- file descriptor limit below what the limits need nofile=%z needed=%z "
			"(raise ulimit -n or lower limits.max_sessions; clients beyond it get the busy reply)",
			fdLimit, descriptorsNeeded(*server));
	}

	const std::string dataDir = this->dataDir();
	try
	{
		Poco::File(dataDir).createDirectories();
	}
	catch (const Poco::Exception& exc)
	{
		log.fatal("- cannot create data directory dir=%s error=%s", dataDir, exc.displayText());
		return Poco::Util::Application::EXIT_CANTCREAT;
	}
	// Before anything else under DATA/NAME/: a second copy must not touch the live queue.
	std::unique_ptr<InstanceLock> lock;
	try
	{
		lock = std::make_unique<InstanceLock>(dataDir);
		if (!lock->tryLock())
		{
			std::cerr << "mail-server: " << _name << " is already running on " << dataDir << " (pid "
					  << lock->holder() << ", lock " << lock->path() << "); stop it first" << std::endl;
			return ExitUnavailable;
		}
	}
	catch (const Poco::Exception& exc)
	{
		log.fatal("- cannot lock data directory dir=%s error=%s", dataDir, exc.displayText());
		return Poco::Util::Application::EXIT_CANTCREAT;
	}

	ServerContext context(config, *server, dataDir);
	try
	{
		context.tls = makeServerTlsContext(config.path, *server);
	}
	catch (const ConfigError& exc)
	{
		std::cerr << "mail-server: " << exc.what() << std::endl;
		return ExitConfig;
	}
	std::unique_ptr<Journal> journal;
	try
	{
		journal = openJournal(*server, dataDir);
	}
	catch (const Poco::Exception& exc)
	{
		log.fatal("- cannot open journal dir=%s error=%s", dataDir, exc.displayText());
		return Poco::Util::Application::EXIT_CANTCREAT;
	}
	context.journal = journal.get();
	std::unique_ptr<JournalEvents> journalEvents;
	if (journal)
	{
		journalEvents = std::make_unique<JournalEvents>(*journal, config.dns.host + ":" + std::to_string(config.dns.port));
		context.events = journalEvents.get();
	}
	// SIGHUP: accounts, limits and logging. Parts with their own reloadable settings
	// register one line here: reloader.onReload([&](const Config&, const ServerConfig& s) { ... });
	ConfigReloader reloader(context, _confPath);
	MaildirStore store(context.mailDir());
	store.spoolDirectory(); // now, not at the first DATA: clears what a killed server left
	RelayQueue queue(context.queueDir());
	Delivery delivery(context, store, queue);
	RelayService relay(context, queue, delivery);
	FaultRules faults(server->faults);
	context.faults = &faults;
	reloader.onReload([&](const Config&, const ServerConfig& reloaded) {
		faults.replace(reloaded.faults);
		log.information("- reloaded faults rules=%z", reloaded.faults.rules.size());
	});
	ControlService control(ControlService::socketPath(dataDir), queue, relay, faults);
	SessionService smtp("smtp", *server, &ServerConfig::smtp, SmtpSession::busyReply(*server),
		[&](Poco::Net::StreamSocket& socket, const std::string& id) { SmtpSession(context, delivery, socket, id).run(); });
	SessionService pop3("pop3", *server, &ServerConfig::pop, Pop3Session::busyReply(*server),
		[&](Poco::Net::StreamSocket& socket, const std::string& id) { Pop3Session(context, socket, id).run(); });
	// Implicit TLS (RFC 8314): the same sessions, handshaking before the greeting.
	std::vector<std::unique_ptr<SessionService>> tlsServices;
	if (server->smtps)
	{
		tlsServices.push_back(std::make_unique<SessionService>("smtps", *server, &ServerConfig::smtps,
			SmtpSession::busyReply(*server), [&](Poco::Net::StreamSocket& socket, const std::string& id) {
				SmtpSession(context, delivery, socket, id, true).run();
			}));
	}
	if (server->pops)
	{
		tlsServices.push_back(std::make_unique<SessionService>("pops", *server, &ServerConfig::pops,
			Pop3Session::busyReply(*server), [&](Poco::Net::StreamSocket& socket, const std::string& id) {
				Pop3Session(context, socket, id, true).run();
			}));
	}
	// IMAP (imap:, imaps:) on the same Maildirs, only when configured; started and stopped with the rest.
	if (server->imap)
	{
		tlsServices.push_back(std::make_unique<SessionService>("imap", *server, &ServerConfig::imap,
			ImapSession::busyReply(*server),
			[&](Poco::Net::StreamSocket& socket, const std::string& id) { ImapSession(context, socket, id).run(); }));
	}
	if (server->imaps)
	{
		tlsServices.push_back(std::make_unique<SessionService>("imaps", *server, &ServerConfig::imaps,
			ImapSession::busyReply(*server), [&](Poco::Net::StreamSocket& socket, const std::string& id) {
				ImapSession(context, socket, id, true).run();
			}));
	}
	// The JSON API and console (http:), only when configured: routes register first.
	HttpRouter router;
	HttpApi api{context, store, queue, relay};
	std::unique_ptr<HttpService> http;
	if (server->http.enabled())
	{
		registerApiRoutes(router, api);
		registerConsoleRoutes(router); // the console uses the router; the API does not know it
		http = std::make_unique<HttpService>(context, router);
	}
	try
	{
		relay.start();
		control.start();
		smtp.start();
		pop3.start();
		for (auto& service: tlsServices) service->start();
		if (http) http->start();
	}
	catch (const Poco::Exception& exc)
	{
		log.fatal("- cannot start server=%s error=%s", _name, exc.displayText());
		return ExitUnavailable;
	}
	// dns.register: publish this provider's records (RFC 2136), again on SIGHUP.
	std::unique_ptr<DnsRegistrar> registrar;
	if (server->registration.enabled)
	{
		registrar = std::make_unique<DnsRegistrar>(*server);
		registrar->start();
		reloader.onReload([&](const Config&, const ServerConfig& reloaded) { registrar->update(reloaded); });
	}
	log.information("- started server=%s smtp=%s:%hu pop=%s:%hu smtps=%hu pops=%hu imap=%hu imaps=%hu tls=%b data=%s",
		_name, server->address, server->smtp, server->address, server->pop, server->smtps, server->pops, server->imap,
		server->imaps, !context.tls.isNull(),
		dataDir);
	// Readiness for scripts (start.sh), whatever the log level or destination.
	std::cout << "mail-server: ready server=" << _name << std::endl;

	// Signals are blocked in every thread (runApplication); this one takes them in turn.
	sigset_t signals;
	sigemptyset(&signals);
	for (const int s: {SIGHUP, SIGTERM, SIGINT, SIGQUIT}) sigaddset(&signals, s);
	int signal = 0;
	while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) reloader.reload();

	log.information("- stopping server=%s", _name);
	if (registrar) registrar->stop(); // withdraws the records first: peers stop choosing us
	context.stopping = true;
	if (http) http->stop();
	smtp.stop();
	pop3.stop();
	for (auto& service: tlsServices) service->stop();
	control.stop();
	relay.stop();
	if (journal) journal->close();
	log.information("- stopped server=%s", _name);
	return ExitOk;
}


} // namespace mail
