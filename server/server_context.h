// server_context.h - what every part of one mail-server process shares.
#pragma once

#include "common/config/config.h"

#include <Poco/Net/Context.h>

#include <atomic>
#include <memory>
#include <string>


namespace mail {


class Journal;
class FaultRules;
class MailEvents;
MailEvents& nullMailEvents(); ///< server/mail/mail_events.h


struct ServerContext
/// Built once by MailServerApp and passed by reference into each service, so sessions
/// need no global state and can be tested without an Application.
{
	ServerContext(const Config& config, const ServerConfig& server, const std::string& dataDir):
		config(config),
		server(server),
		dataDir(dataDir),
		_current(std::shared_ptr<const ServerConfig>(), &server) // not owned: the caller keeps it
	{
	}

	const Config& config;              ///< the whole file (dns location, other servers)
	const ServerConfig& server;        ///< this server as started: what needs a restart to change (ports, TLS, relay)
	const std::string dataDir;         ///< DATA/NAME, absolute; everything this server writes
	std::atomic<bool> stopping{false}; ///< set at shutdown; sessions answer 421 / -ERR and close
	Poco::Net::Context::Ptr tls;       ///< from tls.cert/key (server/net/tls_context); null: no TLS
	Journal* journal = nullptr;        ///< the event journal (common/journal/journal.h), for its API; null: journal.keep is 0
	MailEvents* events = &nullMailEvents();
	///< what sessions, faults and the relay record (server/mail/mail_events.h): the journal's
	///  (server/journal/journal_events) when there is one, else the null implementation
	FaultRules* faults = nullptr; ///< `faults:` rules, changed while running (server/faults); null: none

	bool authAllowed(bool secure) const { return secure || !tls || server.tls.allowPlaintextAuth; }
	/// Whether a session may offer and take passwords: over TLS, or when TLS is not
	/// configured at all, or when tls.allow_plaintext_auth says so (RFC 8314 section 4.1).
	bool smtpAuthEnabled() const { return tls || server.submission.requireAuth; }
	/// SMTP AUTH is offered only where it means something: with tls: or require_auth
	/// (as Postfix offers it only with smtpd_sasl_auth_enable), so a plain server's EHLO
	/// is unchanged. POP3 always takes logins.

	std::shared_ptr<const ServerConfig> current() const { return std::atomic_load(&_current); }
	/// This server's configuration now: accounts, limits and logging follow SIGHUP
	/// (server/config_reload). A session takes it once at its start and keeps it for its
	/// life, so one session never sees half of a reload.
	void replace(std::shared_ptr<const ServerConfig> next) { std::atomic_store(&_current, std::move(next)); }

	std::string mailDir() const { return dataDir + "/mail"; }   ///< Maildirs: mail/<address>/{tmp,new,cur}
	std::string queueDir() const { return dataDir + "/queue"; } ///< relay queue

private:
	std::shared_ptr<const ServerConfig> _current; ///< read and swapped only with atomic_load/atomic_store
};


} // namespace mail
