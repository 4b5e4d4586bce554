// config_reload.cpp - SIGHUP: reload accounts, limits and logging without a restart.
#include "server/config_reload.h"

#include "common/base/errors.h"
#include "common/ops/log.h"
#include "server/restart_keys.h"

#include <Poco/Logger.h>


namespace mail {


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
	for (const RestartKey& row: restartKeyTable())
	{
		if (!row.same(running, runningFile, next, nextFile)) keys.emplace_back(row.key);
	}
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
	for (const RestartKey& row: restartKeyTable())
	{
		if (row.keep) row.keep(next, _context.server);
	}
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
