// config_yaml.cpp - loadConfig(): conf/mail.yaml into typed structs, every key checked.
//
// Optional sections (relay, limits, submission, tls, logging, faults) may stand at the top level
// and inside a server; a server starts from the top-level values and its own keys
// override them one by one. Each section has an apply function that only touches the keys
// present, so the same code reads both levels. Errors carry the dotted key path and line.
#include "common/config/config.h"

#include "common/base/errors.h"
#include "common/mail/mail_address.h"
#include "common/mail/password_hash.h"
#include "common/config/config_registry_yaml.h"
#include "common/config/yaml_checks.h"
#include "common/config/zone.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>

#include <map>
#include <set>


namespace mail {


namespace {


const char* const kLogLevels[] = {"none", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};


const char* unfitForMaildir(const std::string& local)
/// Why a local part cannot be a Maildir directory name (the account key names it), or null.
{
	if (local.size() > 64) return "longer than 64 octets";
	if (!local.empty() && local.front() == '.') return "starts with '.'";
	for (unsigned char c: local)
	{
		if (c == '/') return "contains '/'";
		if (c < 0x20 || c == 0x7f) return "contains a control character or NUL";
	}
	return nullptr;
}


std::string resolvePath(const std::string& baseDir, const std::string& path)
{
	Poco::Path p(path);
	if (p.isAbsolute()) return p.toString();
	return Poco::Path(Poco::Path(baseDir).makeDirectory(), p).toString();
}


void applyLimits(const YAML::Node& node, const std::string& key, Limits& limits)
{
	checkKeys(node, key, {"max_sessions", "max_sessions_per_ip", "command_timeout", "data_timeout", "pop_timeout", "imap_timeout", "max_imap_literal", "max_message_size", "max_recipients", "max_messages_per_session", "soft_errors", "hard_errors", "max_auth_failures", "junk_commands", "max_session_time"});
	const auto k = [&](const char* name) { return childKey(key, name); };
	if (node["max_sessions"]) limits.maxSessions = readUnsigned(node["max_sessions"], k("max_sessions"), 1, 100000);
	if (node["max_sessions_per_ip"])
		limits.maxSessionsPerIp = readUnsigned(node["max_sessions_per_ip"], k("max_sessions_per_ip"), 1, 100000);
	if (node["command_timeout"]) limits.commandTimeout = readDuration(node["command_timeout"], k("command_timeout"));
	if (node["data_timeout"]) limits.dataTimeout = readDuration(node["data_timeout"], k("data_timeout"));
	if (node["pop_timeout"]) limits.popTimeout = readDuration(node["pop_timeout"], k("pop_timeout"));
	if (node["imap_timeout"]) limits.imapTimeout = readDuration(node["imap_timeout"], k("imap_timeout"));
	if (node["max_imap_literal"])
		limits.maxImapLiteral = readUnsigned(node["max_imap_literal"], k("max_imap_literal"), 1024, 1ULL << 24);
	if (node["max_message_size"])
		limits.maxMessageSize = readUnsigned(node["max_message_size"], k("max_message_size"), 1024, 1ULL << 31);
	if (node["max_recipients"]) limits.maxRecipients = readUnsigned(node["max_recipients"], k("max_recipients"), 1, 100000);
	if (node["max_messages_per_session"])
		limits.maxMessagesPerSession = readUnsigned(node["max_messages_per_session"], k("max_messages_per_session"), 1, 10000000);
	if (node["soft_errors"]) limits.softErrors = static_cast<unsigned>(readUnsigned(node["soft_errors"], k("soft_errors"), 1, 10000));
	if (node["hard_errors"]) limits.hardErrors = static_cast<unsigned>(readUnsigned(node["hard_errors"], k("hard_errors"), 1, 10000));
	if (node["max_auth_failures"])
		limits.maxAuthFailures = static_cast<unsigned>(readUnsigned(node["max_auth_failures"], k("max_auth_failures"), 1, 1000));
	if (node["junk_commands"])
		limits.junkCommands = static_cast<unsigned>(readUnsigned(node["junk_commands"], k("junk_commands"), 1, 1000000));
	if (node["max_session_time"]) limits.maxSessionTime = readDuration(node["max_session_time"], k("max_session_time"));
	for (const char* name: {"command_timeout", "data_timeout", "pop_timeout", "imap_timeout", "max_session_time"})
	{
		if (node[name] && readDuration(node[name], k(name)).count() == 0) failAt(node[name], k(name), "must be longer than 0s");
	}
	if (limits.softErrors > limits.hardErrors)
		failAt(node, key, "soft_errors (" + std::to_string(limits.softErrors) + ") must not exceed hard_errors (" + std::to_string(limits.hardErrors) + ")");
}


void applyRelay(const YAML::Node& node, const std::string& key, RelayConfig& relay)
{
	checkKeys(node, key, {"workers", "retry", "expire", "connect_timeout", "command_timeout", "max_hops", "destination_concurrency", "connection_cache_time", "max_messages_per_connection", "tls"});
	const auto k = [&](const char* name) { return childKey(key, name); };
	if (node["workers"]) relay.workers = static_cast<unsigned>(readUnsigned(node["workers"], k("workers"), 1, 256));
	if (node["retry"])
	{
		const YAML::Node list = node["retry"];
		if (!list.IsSequence() || list.size() == 0) failAt(list, k("retry"), "expected a non-empty list of durations, e.g. [1m, 5m]");
		relay.retry.clear();
		for (std::size_t i = 0; i < list.size(); ++i)
		{
			const std::string itemKey = k("retry") + "[" + std::to_string(i) + "]";
			const Seconds wait = readDuration(list[i], itemKey);
			if (wait.count() == 0) failAt(list[i], itemKey, "must be longer than 0s");
			relay.retry.push_back(wait);
		}
	}
	if (node["expire"]) relay.expire = readDuration(node["expire"], k("expire"));
	if (node["connect_timeout"]) relay.connectTimeout = readDuration(node["connect_timeout"], k("connect_timeout"));
	if (node["command_timeout"]) relay.commandTimeout = readDuration(node["command_timeout"], k("command_timeout"));
	if (node["max_hops"]) relay.maxHops = static_cast<unsigned>(readUnsigned(node["max_hops"], k("max_hops"), 1, 1000));
	if (node["destination_concurrency"])
		relay.destinationConcurrency = static_cast<unsigned>(readUnsigned(node["destination_concurrency"], k("destination_concurrency"), 1, 1000));
	if (node["connection_cache_time"]) relay.connectionCacheTime = readDuration(node["connection_cache_time"], k("connection_cache_time"));
	if (node["max_messages_per_connection"])
		relay.maxMessagesPerConnection = static_cast<unsigned>(readUnsigned(node["max_messages_per_connection"], k("max_messages_per_connection"), 1, 100000));
	if (node["tls"])
	{
		const std::string mode = readScalar(node["tls"], k("tls"));
		if (mode == "opportunistic") relay.tls = RelayTls::Opportunistic;
		else if (mode == "verify") relay.tls = RelayTls::Verify;
		else if (mode == "none") relay.tls = RelayTls::None;
		else failAt(node["tls"], k("tls"), "expected opportunistic, verify or none: " + mode);
	}
	for (const char* name: {"expire", "connect_timeout", "command_timeout"})
	{
		if (node[name] && readDuration(node[name], k(name)).count() == 0) failAt(node[name], k(name), "must be longer than 0s");
	}
}


void applySubmission(const YAML::Node& node, const std::string& key, SubmissionConfig& submission)
{
	checkKeys(node, key, {"require_auth"});
	if (node["require_auth"]) submission.requireAuth = readBool(node["require_auth"], childKey(key, "require_auth"));
}


void applyTls(const YAML::Node& node, const std::string& key, const std::string& baseDir, TlsConfig& tls)
{
	checkKeys(node, key, {"cert", "key", "ca", "allow_plaintext_auth"});
	for (const auto& [name, field]: {std::pair<const char*, std::string*>("cert", &tls.cert), {"key", &tls.key}, {"ca", &tls.ca}})
	{
		if (!node[name]) continue;
		const std::string path = resolvePath(baseDir, readScalar(node[name], childKey(key, name)));
		if (!Poco::File(path).exists()) failAt(node[name], childKey(key, name), "file not found: " + path);
		*field = path;
	}
	if (tls.cert.empty() != tls.key.empty())
		failAt(node, key, "cert and key must be given together");
	if (node["allow_plaintext_auth"])
		tls.allowPlaintextAuth = readBool(node["allow_plaintext_auth"], childKey(key, "allow_plaintext_auth"));
}


void applyLogging(const YAML::Node& node, const std::string& key, const std::string& baseDir, LoggingConfig& logging)
{
	checkKeys(node, key, {"level", "file"});
	if (node["level"])
	{
		const std::string level = readScalar(node["level"], childKey(key, "level"));
		bool known = false;
		for (const char* name: kLogLevels) known = known || level == name;
		if (!known)
			failAt(node["level"], childKey(key, "level"),
				"unknown level '" + level + "' (expected fatal, critical, error, warning, notice, information, debug or trace)");
		logging.level = level;
	}
	if (node["file"])
	{
		logging.file = resolvePath(baseDir, readScalar(node["file"], childKey(key, "file")));
		const Poco::File dir(Poco::Path(logging.file).parent());
		if (!dir.exists() || !dir.isDirectory())
			failAt(node["file"], childKey(key, "file"), "no such directory: " + Poco::Path(logging.file).parent().toString());
		if (Poco::File(logging.file).exists() && Poco::File(logging.file).isDirectory())
			failAt(node["file"], childKey(key, "file"), "is a directory: " + logging.file);
	}
}


void applyJournal(const YAML::Node& node, const std::string& key, JournalConfig& journal)
{
	checkKeys(node, key, {"keep"});
	if (node["keep"]) journal.keep = readUnsigned(node["keep"], childKey(key, "keep"), 0, 10000000);
}


bool isLoopback(std::uint32_t address)
{
	return (address >> 24) == 127;
}


void readHttp(const YAML::Node& node, const std::string& key, HttpConfig& http)
/// `http: PORT` or `http: {port, address, users}`. A non-loopback address needs users:
/// the API reads every mailbox and can bounce queued mail.
{
	if (node.IsScalar())
	{
		http.port = readPort(node, key);
		return;
	}
	requireMap(node, key);
	checkKeys(node, key, {"port", "address", "users"});
	if (!node["port"]) failAt(node, childKey(key, "port"), "missing port");
	http.port = readPort(node["port"], childKey(key, "port"));
	std::uint32_t address = 0x7f000001;
	if (node["address"])
	{
		address = readIPv4(node["address"], childKey(key, "address"));
		http.address = node["address"].Scalar();
	}
	if (node["users"] && !node["users"].IsNull())
	{
		requireMap(node["users"], childKey(key, "users"));
		for (const auto& user: node["users"])
		{
			const std::string userKey = childKey(childKey(key, "users"), user.first.Scalar());
			const std::string name = readScalar(user.first, userKey);
			if (name.find(':') != std::string::npos) failAt(user.first, userKey, "a basic auth user name cannot contain ':'");
			const std::string password = readScalar(user.second, userKey);
			const std::string badHash = checkPasswordHash(password);
			if (!badHash.empty()) failAt(user.second, userKey, "bad password hash: " + badHash);
			http.users[name] = password;
		}
	}
	if (!isLoopback(address) && http.users.empty())
		failAt(node["address"], childKey(key, "address"),
			"a non-loopback address (" + http.address + ") needs http.users: the API reads every mailbox");
}


struct Sections
/// The optional sections, as they stand at one level.
{
	Limits limits;
	RelayConfig relay;
	SubmissionConfig submission;
	TlsConfig tls;
	LoggingConfig logging;
	JournalConfig journal;
	FaultsConfig faults;
};


void applySections(const YAML::Node& map, const std::string& key, const std::string& baseDir, Sections& s)
{
	if (map["limits"]) applyLimits(map["limits"], childKey(key, "limits"), s.limits);
	if (map["relay"]) applyRelay(map["relay"], childKey(key, "relay"), s.relay);
	if (map["submission"]) applySubmission(map["submission"], childKey(key, "submission"), s.submission);
	if (map["tls"]) applyTls(map["tls"], childKey(key, "tls"), baseDir, s.tls);
	if (map["logging"]) applyLogging(map["logging"], childKey(key, "logging"), baseDir, s.logging);
	if (map["journal"]) applyJournal(map["journal"], childKey(key, "journal"), s.journal);
	if (map["faults"]) readFaults(map["faults"], childKey(key, "faults"), s.faults);
}


void readDns(const YAML::Node& node, const std::string& baseDir, DnsConfig& dns)
{
	checkKeys(node, "dns", {"listen", "zone", "resolvers", "faults", "updates", "busy_poll_us"});
	if (node["busy_poll_us"]) dns.busyPollUs = static_cast<unsigned>(readUnsigned(node["busy_poll_us"], "dns.busy_poll_us", 0, 1000));
	if (node["updates"]) readDnsUpdates(node["updates"], "dns.updates", dns.updates);
	if (node["listen"])
	{
		const DnsServerAddress listen = readHostPort(node["listen"], "dns.listen");
		dns.host = listen.host;
		dns.port = listen.port;
	}
	if (node["faults"]) readDnsFaults(node["faults"], "dns.faults", dns.faults);
	dns.zonePath = resolvePath(baseDir, node["zone"] ? readScalar(node["zone"], "dns.zone") : "zone.yaml");
	if (node["resolvers"])
	{
		const YAML::Node list = node["resolvers"];
		if (!list.IsSequence() || list.size() == 0) failAt(list, "dns.resolvers", "expected a non-empty list of HOST:PORT");
		for (const YAML::Node& item: list) dns.resolvers.push_back(readHostPort(item, "dns.resolvers"));
	}
}


void readAgent(const YAML::Node& node, std::map<std::string, AgentEntry>& agent)
{
	requireMap(node, "agent");
	for (const auto& item: node)
	{
		const std::string domain = Poco::toLower(item.first.Scalar());
		const std::string key = childKey("agent", item.first.Scalar());
		if (!isValidDomainName(domain)) failAt(item.first, key, "not a valid domain name");
		checkKeys(item.second, key, {"smtp", "pop"});
		AgentEntry entry;
		entry.domain = domain;
		for (const char* proto: {"smtp", "pop"})
		{
			if (!item.second[proto]) failAt(item.second, childKey(key, proto), "missing (the host users of this domain use)");
			const std::string host = readScalar(item.second[proto], childKey(key, proto));
			if (!isValidDomainName(host)) failAt(item.second[proto], childKey(key, proto), "not a valid host name: " + host);
			(std::string(proto) == "smtp" ? entry.smtpHost : entry.popHost) = normalizeName(host);
		}
		if (!agent.emplace(domain, entry).second) failAt(item.first, key, "domain listed twice");
	}
}


bool isValidAddress(const std::string& address)
{
	const std::size_t at = address.rfind('@');
	if (at == std::string::npos || at == 0 || at + 1 >= address.size()) return false;
	const std::string local = address.substr(0, at);
	for (unsigned char c: local)
	{
		if (c <= ' ' || c >= 127 || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']' || c == '@')
			return false;
	}
	return local.front() != '.' && local.back() != '.' && local.find("..") == std::string::npos && isValidDomainName(address.substr(at + 1));
}


/// A list of domain names (`domains:`, `relay_domains:`), normalised, into out; absent: nothing.
void readDomainList(const YAML::Node& list, const std::string& key, std::set<std::string>& out)
{
	if (!list) return;
	if (!list.IsSequence()) failAt(list, key, "expected a list of domain names");
	for (std::size_t i = 0; i < list.size(); ++i)
	{
		const std::string itemKey = key + "[" + std::to_string(i) + "]";
		const std::string domain = readScalar(list[i], itemKey);
		if (!isValidDomainName(domain)) failAt(list[i], itemKey, "not a valid domain name: " + domain);
		out.insert(normalizeName(domain));
	}
}


ServerConfig readServer(const YAML::Node& nameNode, const YAML::Node& node, const std::string& baseDir, const Sections& top)
{
	ServerConfig server;
	server.name = nameNode.Scalar();
	const std::string key = childKey("servers", server.name);
	checkKeys(node, key, {"address", "smtp", "pop", "smtps", "pops", "imap", "imaps", "accounts", "domains", "relay_domains", "relay", "limits", "submission", "tls", "logging", "journal", "faults", "http", "dns"});
	const auto k = [&](const char* name) { return childKey(key, name); };
	for (const char* required: {"smtp", "pop"})
	{
		if (!node[required]) failAt(nameNode, k(required), "missing port");
	}
	server.smtp = readPort(node["smtp"], k("smtp"));
	server.pop = readPort(node["pop"], k("pop"));
	if (node["smtps"]) server.smtps = readPort(node["smtps"], k("smtps"));
	if (node["pops"]) server.pops = readPort(node["pops"], k("pops"));
	if (node["imap"]) server.imap = readPort(node["imap"], k("imap"));
	if (node["imaps"]) server.imaps = readPort(node["imaps"], k("imaps"));
	if (node["address"])
	{
		readIPv4(node["address"], k("address"));
		server.address = node["address"].Scalar();
	}
	if (node["http"]) readHttp(node["http"], k("http"), server.http);
	if (node["dns"])
	{
		requireMap(node["dns"], k("dns"));
		checkKeys(node["dns"], k("dns"), {"register"}); // the rest of dns: is the topology's, at the top
		if (node["dns"]["register"]) readDnsRegister(node["dns"]["register"], childKey(k("dns"), "register"), server.registration);
	}

	Sections sections = top;
	applySections(node, key, baseDir, sections);
	server.limits = sections.limits;
	server.relay = sections.relay;
	server.submission = sections.submission;
	server.tls = sections.tls;
	server.logging = sections.logging;
	server.journal = sections.journal;
	server.faults = sections.faults;
	for (const char* implicit: {"smtps", "pops", "imaps"})
	{
		if (node[implicit] && !server.tls.enabled()) failAt(node[implicit], k(implicit), "implicit TLS needs tls.cert and tls.key");
	}

	std::set<std::string> domains;
	if (node["accounts"] && !node["accounts"].IsNull())
	{
		requireMap(node["accounts"], k("accounts"));
		for (const auto& account: node["accounts"])
		{
			const std::string address = account.first.Scalar();
			const std::string accountKey = childKey(k("accounts"), address);
			if (!isValidAddress(address)) failAt(account.first, accountKey, "not a valid email address");
			if (const char* why = unfitForMaildir(address.substr(0, address.rfind('@'))))
				failAt(account.first, accountKey, std::string("the local part cannot name a Maildir: ") + why);
			const std::string password = readScalar(account.second, accountKey);
			const std::string badHash = checkPasswordHash(password);
			if (!badHash.empty()) failAt(account.second, accountKey, "bad password hash: " + badHash);
			const std::string domain = Poco::toLower(domainOf(address));
			if (!server.addAccount(address, password))
				failAt(account.first, accountKey, "account listed twice (addresses compare case-insensitively)");
			domains.insert(normalizeName(domain));
		}
	}
	readDomainList(node["domains"], k("domains"), domains);
	server.domains.assign(domains.begin(), domains.end());
	std::set<std::string> relayDomains;
	readDomainList(node["relay_domains"], k("relay_domains"), relayDomains);
	for (const auto& domain: relayDomains)
	{
		// Relaying our own domain would send its mail away instead of delivering it.
		if (domains.count(domain)) failAt(node["relay_domains"], k("relay_domains"), "a domain of this server itself: " + domain);
	}
	server.relayDomains.assign(relayDomains.begin(), relayDomains.end());
	return server;
}


void checkServersDisjoint(const YAML::Node& serversNode, const std::vector<ServerConfig>& servers)
{
	std::map<std::string, std::string> portOwner;   // "address:port" -> "server.proto"
	std::map<std::string, std::string> domainOwner; // domain -> server
	std::size_t index = 0;
	for (const auto& item: serversNode)
	{
		const ServerConfig& s = servers[index++];
		const std::string key = childKey("servers", s.name);
		const std::pair<const char*, std::uint16_t> ports[] = {{"smtp", s.smtp}, {"pop", s.pop}, {"smtps", s.smtps}, {"pops", s.pops}, {"imap", s.imap}, {"imaps", s.imaps}};
		for (const auto& port: ports)
		{
			if (port.second == 0) continue;
			const std::string where = s.address + ":" + std::to_string(port.second);
			const std::string what = s.name + "." + port.first;
			auto inserted = portOwner.emplace(where, what);
			if (!inserted.second)
				failAt(item.second[port.first], childKey(key, port.first), "port " + std::to_string(port.second) + " already used by servers." + inserted.first->second);
		}
		if (s.http.enabled())
		{
			// The HTTP address is its own: compare with every listener on the same port.
			for (const auto& owner: portOwner)
			{
				const std::string& where = owner.first;
				const std::string port = where.substr(where.rfind(':') + 1);
				const std::string address = where.substr(0, where.rfind(':'));
				if (port == std::to_string(s.http.port) && (address == s.http.address || address == "0.0.0.0" || s.http.address == "0.0.0.0"))
					failAt(item.second["http"], childKey(key, "http"), "port " + port + " already used by servers." + owner.second);
			}
			portOwner.emplace(s.http.address + ":" + std::to_string(s.http.port), s.name + ".http");
		}
		for (const auto& domain: s.domains)
		{
			auto inserted = domainOwner.emplace(domain, s.name);
			if (!inserted.second)
				failAt(item.first, key, "domain " + domain + " is already served by servers." + inserted.first->second);
		}
	}
}


} // namespace


Config loadConfig(const std::string& path)
{
	const YAML::Node root = loadYamlFile(path);
	const std::string baseDir = Poco::Path(Poco::Path(path).absolute()).parent().toString();
	Config config;
	config.path = path;
	try
	{
		if (!root.IsMap()) failAt(root, "", root.IsNull() ? "the file is empty" : "expected a map of sections at the top level");
		checkKeys(root, "", {"dns", "agent", "servers", "relay", "limits", "submission", "tls", "logging", "journal", "faults"});
		if (root["dns"]) readDns(root["dns"], baseDir, config.dns);
		else config.dns.zonePath = resolvePath(baseDir, "zone.yaml");
		if (root["agent"] && !root["agent"].IsNull()) readAgent(root["agent"], config.agent);

		Sections top;
		applySections(root, "", baseDir, top);
		config.logging = top.logging;
		config.journal = top.journal;

		if (!root["servers"]) failAt(root, "servers", "missing (at least one server is needed)");
		const YAML::Node servers = root["servers"];
		requireMap(servers, "servers");
		for (const auto& item: servers)
			config.servers.push_back(readServer(item.first, item.second, baseDir, top));
		checkServersDisjoint(servers, config.servers);
	}
	catch (const NodeError& exc)
	{
		throw ConfigError(path, exc.line, exc.key, exc.what());
	}
	return config;
}


} // namespace mail
