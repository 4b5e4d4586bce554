// agent_app.cpp - mail-agent dispatch and exit statuses.
#include "agent/agent_app.h"

#include "agent/agent_options.h"
#include "agent/hash_password.h"
#include "agent/journey_command.h"
#include "agent/agent_shell.h"
#include "agent/line_editor.h"
#include "common/config/config.h"
#include "common/base/errors.h"
#include "agent/host_lookup.h"
#include "common/ops/log.h"

#include <Poco/File.h>

#include <csignal>
#include <iostream>
#include <optional>

#include <unistd.h>


namespace mail {


namespace {


/// ping/trace: the config only tells where mail-dns is; without --conf a missing default
/// file just means "system names only".
std::optional<Config> diagnosticsConfig(const AgentOptions& options)
{
	if (!options.confGiven && !Poco::File(options.confPath).exists()) return std::nullopt;
	return loadConfig(options.confPath);
}


/// Where a name was looked up, for "unknown host": a user running from another directory
/// otherwise cannot tell that mail-dns was never asked.
std::string lookedUpIn(const AgentOptions& options, const std::optional<Config>& config)
{
	if (!config)
		return " (no config at " + options.confPath
			+ ", so only system names were tried; give --conf FILE for the pseudo-DNS names)";
	return " (config " + options.confPath + ": asked mail-dns at " + config->dns.serversText() + ", then the system resolver)";
}


int runDiagnostics(const AgentOptions& options)
{
	std::optional<Config> config = diagnosticsConfig(options);
	Poco::Net::IPAddress address;
	try
	{
		address = lookupHost(options.host, config ? &config->dns : nullptr);
	}
	catch (const UnknownHost& e)
	{
		std::cerr << "mail-agent: " << (options.mode == AgentMode::Ping ? "ping" : "trace") << ": " << e.what()
				  << lookedUpIn(options, config) << std::endl;
		return ExitUnknownHost;
	}
	try
	{
		IcmpSocket socket;
		if (options.mode == AgentMode::Ping) return ping(socket, options.host, address, options.ping, std::cout);
		return trace(socket, options.host, address, options.trace, std::cout);
	}
	catch (const IcmpUnavailable& e)
	{
		std::cerr << "mail-agent: " << e.what() << std::endl;
		return ExitUnavailable;
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "mail-agent: " << e.displayText() << std::endl;
		return ExitUnavailable;
	}
}


int runMail(const AgentOptions& options)
{
	Config config = loadConfig(options.confPath);
	setupLogging(config.logging, "mail-agent");
	Endpoint smtp, pop, imap;
	try
	{
		if (options.mode == AgentMode::Interactive || options.mode == AgentMode::Send)
			smtp = findEndpoint(config, options.email, options.smtpHost, true);
		if (options.mode == AgentMode::Interactive || options.mode == AgentMode::Pop)
			pop = findEndpoint(config, options.email, options.popHost, false);
		if (options.mode == AgentMode::Imap) imap = findImapEndpoint(config, options.email, options.imapHost, options.imaps);
	}
	catch (const EndpointError& e)
	{
		std::cerr << "mail-agent: " << e.what() << std::endl;
		return ExitUnavailable;
	}
	// The interactive shell looks for the IMAP server when `imap` is typed, not before.
	auto findImap = [&config, &options, imap]() {
		return imap.port ? imap : findImapEndpoint(config, options.email, options.imapHost, options.imaps);
	};
	AgentShell shell(options, smtp, pop, findImap, std::cin, std::cout, std::cerr, !::isatty(STDIN_FILENO));
	switch (options.mode)
	{
	case AgentMode::Send: return shell.runSend();
	case AgentMode::Pop: return shell.runPop();
	case AgentMode::Imap: return shell.runImap();
	default:
		// A terminal gets line editing; piped-in scripts read plain lines as before.
		if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO))
			shell.useLineEditor(std::make_unique<LineEditor>(LineEditor::defaultHistoryFile()));
		// Ctrl-C at the prompt is how users leave (as in a shell): a clean exit, status 0.
		// Nothing is half-written on our side (a POP3 session without QUIT deletes nothing).
		std::signal(SIGINT, [](int) {
			const char newline = '\n';
			(void)!::write(STDOUT_FILENO, &newline, 1);
			::_exit(ExitOk);
		});
		return shell.runInteractive();
	}
}


} // namespace


int runAgent(const std::vector<std::string>& args)
{
	AgentOptions options;
	try
	{
		options = parseAgentOptions(args);
	}
	catch (const UsageError& e)
	{
		std::cerr << "mail-agent: " << e.what() << " (try --help)" << std::endl;
		return ExitUsage;
	}
	try
	{
		switch (options.mode)
		{
		case AgentMode::Help:
			std::cout << agentUsage();
			return ExitOk;
		case AgentMode::HashPassword:
			return runHashPassword(std::cin, std::cout, std::cerr, ::isatty(STDIN_FILENO));
		case AgentMode::Journey:
			return runJourney(loadConfig(options.confPath), options.messageId, std::cout, std::cerr);
		case AgentMode::Ping:
		case AgentMode::Trace:
			return runDiagnostics(options);
		default:
			return runMail(options);
		}
	}
	catch (const ConfigError& e)
	{
		std::cerr << "mail-agent: " << e.what() << std::endl;
		return ExitConfig;
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "mail-agent: " << e.displayText() << std::endl;
		return ExitSoftware;
	}
	catch (const std::exception& e)
	{
		std::cerr << "mail-agent: " << e.what() << std::endl;
		return ExitSoftware;
	}
}


} // namespace mail
