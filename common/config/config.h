// config.h - typed view of conf/mail.yaml and its zone file.
//
// loadConfig() reads the whole file, checks every key and value, and either returns a
// complete Config or throws ConfigError naming the file, line and key. Nothing is ever
// half-configured: a program that gets a Config can use every field as is.
#pragma once

#include "common/config/config_faults.h"
#include "common/config/config_registry.h"
#include "common/base/seconds.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>


namespace mail {


struct Limits
/// Per-server limits (SPEC.md `limits:`). Defaults follow Postfix where it has one.
{
	std::size_t maxSessions = 1000;        ///< concurrent sessions per protocol per server
	std::size_t maxSessionsPerIp = 50;     ///< concurrent sessions per client address
	Seconds commandTimeout{300};           ///< waiting for a command line (RFC 5321 4.5.3.2: 5 min)
	Seconds dataTimeout{600};              ///< waiting for the next chunk of DATA
	Seconds popTimeout{600};               ///< POP3 idle timeout (RFC 1939: at least 10 min)
	std::size_t maxMessageSize = 10485760; ///< bytes, announced in EHLO SIZE
	std::size_t maxRecipients = 100;       ///< per message; the next RCPT gets 452
	std::size_t maxMessagesPerSession = 1000;
	unsigned softErrors = 10;              ///< then each reply is delayed
	unsigned hardErrors = 20;              ///< then 421 and close
	unsigned maxAuthFailures = 3;          ///< failed PASS/AUTH attempts, then close
	unsigned junkCommands = 100;           ///< NOOP, RSET, VRFY, HELP, CAPA, repeated USER (Postfix smtpd_junk_command_limit)
	Seconds maxSessionTime{3600};          ///< a session's whole lifetime, however busy
	std::size_t maxCommandLine = 512;      ///< SMTP command line incl. CRLF (RFC 5321 4.5.3.1.4)
	std::size_t maxTextLine = 1000;        ///< SMTP DATA line incl. CRLF (RFC 5321 4.5.3.1.6)
	std::size_t maxPopCommandLine = 255;   ///< POP3 command line (RFC 2449)
	Seconds imapTimeout{1800};             ///< IMAP idle timeout, also in IDLE (RFC 9051 5.4: at least 30 min)
	std::size_t maxImapCommandLine = 8192; ///< one IMAP command line, literals not counted (RFC 7162 section 4)
	std::size_t maxImapLiteral = 65536;    ///< one literal of a command, and all of a command's literals together
};


enum class RelayTls
/// SPEC.md `relay.tls`: whether the relay's SMTP client uses STARTTLS.
{
	Opportunistic, ///< when the peer offers it, unverified; a failed handshake retries in plaintext
	Verify,        ///< required, with the exchanger's certificate checked (system CAs or tls.ca) and its name
	None           ///< never
};

const char* toString(RelayTls mode);


struct RelayConfig
/// SPEC.md `relay:`.
{
	unsigned workers = 4;
	std::vector<Seconds> retry{Seconds(60), Seconds(300), Seconds(600), Seconds(900),
		Seconds(1800), Seconds(3600), Seconds(7200)}; ///< waits between attempts; the last repeats
	Seconds expire{5 * 86400};                        ///< then the message bounces
	Seconds connectTimeout{30};                       ///< TCP connect to an exchanger
	Seconds commandTimeout{300};                      ///< each SMTP reply from the peer
	unsigned maxHops = 50;                            ///< Received: headers before a loop bounce
	unsigned destinationConcurrency = 20;             ///< connections at once to one destination
	Seconds connectionCacheTime{2};                   ///< an idle connection is kept this long; 0: none
	unsigned maxMessagesPerConnection = 100;          ///< then the connection is closed
	RelayTls tls = RelayTls::Opportunistic;           ///< STARTTLS to exchangers
};


struct SubmissionConfig
{
	bool requireAuth = false; ///< local senders must AUTH as themselves
};


struct TlsConfig
{
	std::string cert; ///< absolute path; empty: no TLS
	std::string key;  ///< absolute path
	std::string ca;   ///< absolute path of PEM CA certificates the relay trusts (relay.tls: verify), besides the system's
	bool allowPlaintextAuth = false;

	bool enabled() const { return !cert.empty(); }
};


struct HttpConfig
/// SPEC.md `http:`: the JSON API and web console of one server.
{
	std::uint16_t port = 0;                   ///< 0: no HTTP service
	std::string address = "127.0.0.1";        ///< not the server's address: loopback unless said
	std::map<std::string, std::string> users; ///< basic auth name -> password or PBKDF2 hash; empty: none

	bool enabled() const { return port != 0; }
};


struct LoggingConfig
{
	std::string level = "information"; ///< a Poco level name
	std::string file;                  ///< empty: standard error
};


struct JournalConfig
/// `journal:` - the event journal (common/journal/journal.h).
{
	std::size_t keep = 10000; ///< events kept in memory; 0: no journal at all (no events.jsonl either)
};


struct ServerConfig
/// One mail provider (a key under `servers:`), with the top-level optional
/// sections already merged in (a per-server key overrides the top-level one).
{
	std::string name;
	std::string address = "127.0.0.1";
	std::uint16_t smtp = 0;
	std::uint16_t pop = 0;
	std::uint16_t smtps = 0;                         ///< 0: not listening
	std::uint16_t pops = 0;                          ///< 0: not listening
	std::uint16_t imap = 0;                          ///< 0: not listening
	std::uint16_t imaps = 0;                         ///< 0: not listening
	std::map<std::string, std::string> accounts;     ///< address (domain lower-cased) -> password
	std::map<std::string, std::string> accountIndex; ///< whole address lower-cased -> key in accounts
	std::vector<std::string> domains;                ///< lower-case; from accounts plus `domains:`
	std::vector<std::string> relayDomains;           ///< lower-case; `relay_domains:` (a backup MX for them)
	Limits limits;
	RelayConfig relay;
	SubmissionConfig submission;
	TlsConfig tls;
	LoggingConfig logging;
	FaultsConfig faults; ///< `faults:` (server/faults); no rules: the hooks cost one check
	HttpConfig http;
	JournalConfig journal;
	DnsRegisterConfig registration; ///< `dns.register`: publish this server's records by UPDATE

	bool isLocalDomain(const std::string& domain) const;           ///< case-insensitive
	bool isRelayDomain(const std::string& domain) const;           ///< in relay_domains, case-insensitive
	bool hasAccount(const std::string& address) const;             ///< domain case-insensitive
	const std::string* password(const std::string& address) const; ///< null if no account
	const std::string* accountKey(const std::string& user) const;
	/// The account a login name (POP3 USER, SMTP AUTH) names, compared as password()
	/// does (local part exact, domain case-insensitive): its key in accounts (the
	/// Maildir name), or null.
	bool addAccount(const std::string& address, const std::string& password);
	/// Adds an account (domain lower-cased) to accounts and accountIndex; false, and
	/// nothing added, when the address is already there, compared case-insensitively.
	const std::string* accountFor(const std::string& address) const;
	/// The account an address delivers to, matched case-insensitively as a whole (as
	/// Postfix lookups do): its key in accounts (the Maildir name), or null. Used by
	/// SMTP and the relay; POP3 logins use password(), whose local part is exact.
};


struct AgentEntry
/// `agent:` row: where users of an email domain submit to and read from.
{
	std::string domain;   ///< lower-case
	std::string smtpHost; ///< a name resolved with mail-dns P (and A) queries
	std::string popHost;
};


struct DnsServerAddress
/// One "HOST:PORT" of dns.listen or dns.resolvers (an IPv4 address).
{
	std::string host;
	std::uint16_t port = 0;
};


struct DnsConfig
{
	std::string host = "127.0.0.1";
	std::uint16_t port = 10053;
	std::string zonePath;                    ///< absolute path of the zone file
	std::vector<DnsServerAddress> resolvers; ///< dns.resolvers as written (empty: not given)
	DnsFaultsConfig faults;                  ///< `dns.faults`: what mail-dns answers wrongly on purpose
	std::vector<DnsUpdateZone> updates;      ///< `dns.updates`: zones mail-dns takes signed UPDATEs for
	unsigned busyPollUs = 50;                ///< `dns.busy_poll_us`: an idle mail-dns worker polls this long before it sleeps

	std::vector<DnsServerAddress> servers() const;
	/// Whom the relay and the agent ask, in order: dns.resolvers, else dns.listen.
	std::string serversText() const; ///< "127.0.0.1:10053, 127.0.0.1:53" for messages
};


struct Config
{
	std::string path; ///< the file this was loaded from
	DnsConfig dns;
	std::map<std::string, AgentEntry> agent; ///< by lower-case domain
	std::vector<ServerConfig> servers;       ///< in file order
	LoggingConfig logging;                   ///< top-level (for mail-dns and the agent)
	JournalConfig journal;                   ///< top-level (for mail-dns)

	const ServerConfig* server(const std::string& name) const;   ///< null if unknown
	const AgentEntry* agentFor(const std::string& domain) const; ///< case-insensitive
};


Config loadConfig(const std::string& path);
/// Reads and checks the whole file. Throws ConfigError (file, line, key) on any problem:
/// missing file, YAML syntax, unknown key, wrong type, value out of range, duplicate name,
/// a server name, port or address used twice. Does not read the zone file.

constexpr Seconds kMaxDuration{365 * 86400};
/// The longest duration any key accepts (365d): every timeout and retry wait stays far
/// from overflowing Poco::Timespan and time arithmetic.

Seconds parseDuration(const std::string& text);
/// "30s", "5m", "2h", "5d" -> seconds. Throws std::invalid_argument on anything else,
/// including a duration over kMaxDuration.


} // namespace mail
