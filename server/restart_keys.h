// restart_keys.h - the one table of configuration keys a SIGHUP cannot change.
//
// What the running server bound or started from the file (ports, address, TLS files,
// the relay, the resolvers, session counts, the journal's ring) needs a restart. The
// reload (server/config_reload) finds changed keys and puts the started values back from
// this table, and docs/operating.md shows the list rendered from it (a unit test checks
// the page against restartKeysText()), so the list is written once.
#pragma once

#include "common/config/config.h"

#include <string>
#include <vector>


namespace mail {


struct RestartKey
{
	const char* key; ///< as written in the file ("limits.max_sessions")
	bool (*same)(const ServerConfig& running, const Config& runningFile, const ServerConfig& next, const Config& nextFile);
	void (*keep)(ServerConfig& next, const ServerConfig& started);
	/// Puts the started value back into the reloaded configuration; null when the value
	/// is read once at start outside ServerConfig (dns.*, journal.keep) and nothing reads
	/// it again.
};


const std::vector<RestartKey>& restartKeyTable();
/// Every key, in the order of the file's sections.

std::string restartKeysText();
/// The keys as docs/operating.md lists them: "`dns.listen`, `dns.resolvers`, ... and `journal.keep`".


} // namespace mail
