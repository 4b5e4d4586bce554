// config_reload.h - SIGHUP: reload accounts, limits and logging without a restart.
//
// As Postfix's `postfix reload` and mail-dns's zone reload: the file is read and checked
// whole; a broken file changes nothing (the reason is logged; `mail-server --check`
// shows the same error). What the running server has bound or started from the old
// file (ports, address, TLS files, relay, dns, session counts) keeps its old value and
// is logged as "needs a restart". The rest becomes a new immutable ServerConfig swapped
// into the ServerContext: sessions started before keep their snapshot, new ones see it.
#pragma once

#include "common/config/config.h"
#include "server/server_context.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>


namespace mail {


class ConfigReloader
{
public:
	using Hook = std::function<void(const Config& config, const ServerConfig& server)>;
	/// Called after each successful reload with the whole new file and this server's
	/// configuration as applied (e.g. fault rules, journal.keep). A hook that throws is
	/// logged; the reload stands.

	ConfigReloader(ServerContext& context, std::string confPath);

	void onReload(Hook hook); ///< register before the first reload (at start-up)

	bool reload();
	/// Reads the file again and applies what can change; false (old config kept, reason
	/// logged) when the file is broken or no longer names this server.

	static std::vector<std::string> restartKeys(const ServerConfig& running, const Config& runningFile,
		const ServerConfig& next, const Config& nextFile);
	/// The keys whose change needs a restart (server/restart_keys: the one table), in the
	/// order of the file's sections.

private:
	ServerContext& _context;
	const std::string _confPath;
	std::mutex _mutex;
	std::vector<Hook> _hooks;
};


} // namespace mail
