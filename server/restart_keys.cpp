// restart_keys.cpp - the table of keys that need a restart, and its text for the docs.
#include "server/restart_keys.h"

#include "common/config/config_registry_same.h"


namespace mail {


namespace {


bool sameRelay(const RelayConfig& a, const RelayConfig& b)
{
	return a.workers == b.workers && a.retry == b.retry && a.expire == b.expire && a.connectTimeout == b.connectTimeout
		&& a.commandTimeout == b.commandTimeout && a.maxHops == b.maxHops && a.destinationConcurrency == b.destinationConcurrency
		&& a.connectionCacheTime == b.connectionCacheTime && a.maxMessagesPerConnection == b.maxMessagesPerConnection
		&& a.tls == b.tls;
}


// One row per key: how a change is seen, and how the started value is put back.
#define SAME(expr) [](const ServerConfig& a, const Config& af, const ServerConfig& b, const Config& bf) { \
	(void)a, (void)af, (void)b, (void)bf;                                                                 \
	return (expr);                                                                                        \
}
#define KEEP(stmt) [](ServerConfig& next, const ServerConfig& started) { stmt; }

const std::vector<RestartKey> kTable = {
	{"dns.listen", SAME(af.dns.host == bf.dns.host && af.dns.port == bf.dns.port), nullptr},
	{"dns.resolvers", SAME(af.dns.serversText() == bf.dns.serversText()), nullptr}, // the relay's resolver is built once
	// The registrar is made at start from it; a SIGHUP still registers again (the running
	// settings with the reloaded domains).
	{"dns.register", SAME(sameRegistration(a.registration, b.registration)), KEEP(next.registration = started.registration)},
	{"address", SAME(a.address == b.address), KEEP(next.address = started.address)},
	{"smtp", SAME(a.smtp == b.smtp), KEEP(next.smtp = started.smtp)},
	{"pop", SAME(a.pop == b.pop), KEEP(next.pop = started.pop)},
	{"smtps", SAME(a.smtps == b.smtps), KEEP(next.smtps = started.smtps)},
	{"pops", SAME(a.pops == b.pops), KEEP(next.pops = started.pops)},
	{"imap", SAME(a.imap == b.imap), KEEP(next.imap = started.imap)},
	{"imaps", SAME(a.imaps == b.imaps), KEEP(next.imaps = started.imaps)},
	{"http", SAME(a.http.port == b.http.port && a.http.address == b.http.address), // http.users follow the reload
		KEEP((next.http.port = started.http.port, next.http.address = started.http.address))},
	{"tls.cert", SAME(a.tls.cert == b.tls.cert && a.tls.key == b.tls.key),
		KEEP((next.tls.cert = started.tls.cert, next.tls.key = started.tls.key))},
	{"tls.ca", SAME(a.tls.ca == b.tls.ca), KEEP(next.tls.ca = started.tls.ca)},
	{"tls.allow_plaintext_auth", SAME(a.tls.allowPlaintextAuth == b.tls.allowPlaintextAuth),
		KEEP(next.tls.allowPlaintextAuth = started.tls.allowPlaintextAuth)},
	{"submission.require_auth", SAME(a.submission.requireAuth == b.submission.requireAuth),
		KEEP(next.submission.requireAuth = started.submission.requireAuth)},
	{"limits.max_sessions", SAME(a.limits.maxSessions == b.limits.maxSessions),
		KEEP(next.limits.maxSessions = started.limits.maxSessions)},
	{"limits.max_sessions_per_ip", SAME(a.limits.maxSessionsPerIp == b.limits.maxSessionsPerIp),
		KEEP(next.limits.maxSessionsPerIp = started.limits.maxSessionsPerIp)},
	{"relay", SAME(sameRelay(a.relay, b.relay)), KEEP(next.relay = started.relay)},
	{"journal.keep", SAME(a.journal.keep == b.journal.keep), nullptr}, // the ring is sized at start
};

#undef SAME
#undef KEEP


} // namespace


const std::vector<RestartKey>& restartKeyTable()
{
	return kTable;
}


std::string restartKeysText()
{
	std::string out;
	for (std::size_t i = 0; i < kTable.size(); ++i)
	{
		if (i > 0) out += i + 1 == kTable.size() ? " and " : ", ";
		out += std::string("`") + kTable[i].key + "`";
	}
	return out;
}


} // namespace mail
