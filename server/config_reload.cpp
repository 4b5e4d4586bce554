// config_reload.cpp - SIGHUP: reload accounts, limits and logging without a restart.
#include "server/config_reload.h"

#include "common/errors.h"
#include "common/log.h"

#include <Poco/Logger.h>


namespace mail {


namespace {


bool sameRelay(const RelayConfig& a, const RelayConfig& b)
{
	return a.workers == b.workers && a.retry == b.retry && a.expire == b.expire && a.connectTimeout == b.connectTimeout
		&& a.commandTimeout == b.commandTimeout && a.maxHops == b.maxHops && a.destinationConcurrency == b.destinationConcurrency
		&& a.connectionCacheTime == b.connectionCacheTime && a.maxMessagesPerConnection == b.maxMessagesPerConnection
		&& a.tls == b.tls;
}


} // namespace


ConfigReloader::ConfigReloader(ServerContext& context, std::string confPath):
	_context(context),
	_confPath(std::move(confPath))
{
}


void ConfigReloader::onReload(Hook hook)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_hooks.push_back(std::move(hook));
}


std::vector<std::string> ConfigReloader::restartKeys(const ServerConfig& running, const Config& runningFile,
	const ServerConfig& next, const Config& nextFile)
{
	std::vector<std::string> keys;
	const auto check = [&](bool same, const char* key) {
		if (!same) keys.emplace_back(key);
	};
	check(runningFile.dns.host == nextFile.dns.host && runningFile.dns.port == nextFile.dns.port, "dns.listen");
	check(runningFile.dns.serversText() == nextFile.dns.serversText(), "dns.resolvers"); // the relay's resolver is built once
	check(running.address == next.address, "address");
	check(running.smtp == next.smtp, "smtp");
	check(running.pop == next.pop, "pop");
	check(running.smtps == next.smtps, "smtps");
	check(running.pops == next.pops, "pops");
	check(running.imap == next.imap && running.imaps == next.imaps, "imap");
	check(running.http.port == next.http.port && running.http.address == next.http.address, "http");
	check(running.tls.cert == next.tls.cert && running.tls.key == next.tls.key, "tls.cert");
	check(running.tls.ca == next.tls.ca, "tls.ca");
	check(running.tls.allowPlaintextAuth == next.tls.allowPlaintextAuth, "tls.allow_plaintext_auth");
	check(running.submission.requireAuth == next.submission.requireAuth, "submission.require_auth");
	check(running.limits.maxSessions == next.limits.maxSessions, "limits.max_sessions");
	check(running.limits.maxSessionsPerIp == next.limits.maxSessionsPerIp, "limits.max_sessions_per_ip");
	check(sameRelay(running.relay, next.relay), "relay");
	check(running.journal.keep == next.journal.keep, "journal.keep"); // the ring is sized at start
	return keys;
}


bool ConfigReloader::reload()
{
	std::lock_guard<std::mutex> lock(_mutex);
	Poco::Logger& log = Poco::Logger::get("app");
	const std::shared_ptr<const ServerConfig> running = _context.current();
	std::shared_ptr<Config> file;
	try
	{
		file = std::make_shared<Config>(loadConfig(_confPath));
	}
	catch (const ConfigError& exc)
	{
		log.error("- reload failed, keeping the running configuration (mail-server --check shows it): %s", std::string(exc.what()));
		return false;
	}
	ServerConfig* found = nullptr;
	for (auto& server: file->servers)
	{
		if (server.name == running->name) found = &server;
	}
	if (!found)
	{
		log.error("- reload failed, keeping the running configuration: %s: servers: no server named '%s' any more", _confPath,
			running->name);
		return false;
	}
	const std::vector<std::string> keep = restartKeys(_context.server, _context.config, *found, *file);
	// What needs a restart keeps the value the server started with; the rest is new.
	ServerConfig& next = *found;
	const ServerConfig& started = _context.server;
	next.address = started.address;
	next.smtp = started.smtp;
	next.pop = started.pop;
	next.smtps = started.smtps;
	next.pops = started.pops;
	next.imap = started.imap;
	next.imaps = started.imaps;
	next.http.port = started.http.port; // http.users follow the reload
	next.http.address = started.http.address;
	next.tls = started.tls;
	next.submission = started.submission;
	next.relay = started.relay;
	next.limits.maxSessions = started.limits.maxSessions;
	next.limits.maxSessionsPerIp = started.limits.maxSessionsPerIp;
	if (!(next.logging.file == running->logging.file && next.logging.level == running->logging.level))
		setupLogging(next.logging, "mail-server");
	for (const auto& key: keep)
		log.warning("- reload: %s changed in %s; it needs a restart, the running value is kept", key, _confPath);
	_context.replace(std::shared_ptr<const ServerConfig>(file, found));
	log.information("- reloaded conf=%s accounts=%z domains=%z max_message_size=%z level=%s", _confPath, next.accounts.size(),
		next.domains.size(), next.limits.maxMessageSize, next.logging.level);
	for (const auto& hook: _hooks)
	{
		try
		{
			hook(*file, next);
		}
		catch (const std::exception& exc)
		{
			log.error("- reload hook failed: %s", std::string(exc.what()));
		}
	}
	return true;
}


} // namespace mail
