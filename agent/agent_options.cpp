// agent_options.cpp - mail-agent command line parsing.
#include "agent/agent_options.h"

#include <Poco/NumberParser.h>

#include <cmath>


namespace mail {


namespace {


constexpr unsigned MaxCount = 1000000;
constexpr unsigned MaxHopsLimit = 255; ///< the IP TTL field


class ArgCursor
{
public:
	explicit ArgCursor(const std::vector<std::string>& args):
		_args(args) {}

	bool done() const { return _next >= _args.size(); }
	const std::string& take() { return _args[_next++]; }

	const std::string& value(const std::string& option)
	{
		if (done()) throw UsageError("option " + option + " needs a value");
		return take();
	}

private:
	const std::vector<std::string>& _args;
	std::size_t _next = 0;
};


unsigned parseCount(const std::string& option, const std::string& text, unsigned low, unsigned high)
{
	unsigned value = 0;
	if (!Poco::NumberParser::tryParseUnsigned(text, value) || value < low || value > high)
		throw UsageError(option + " wants a whole number from " + std::to_string(low) + " to "
			+ std::to_string(high) + ", not '" + text + "'");
	return value;
}


double parseSeconds(const std::string& option, const std::string& text)
{
	double value = 0;
	if (!Poco::NumberParser::tryParseFloat(text, value) || !std::isfinite(value) || value <= 0 || value > 3600)
		throw UsageError(option + " wants seconds greater than 0 (at most 3600), not '" + text + "'");
	return value;
}


/// Options every mode accepts; false when arg is not one of them.
bool takeCommonOption(const std::string& arg, ArgCursor& cursor, AgentOptions& options, bool cIsConf)
{
	if (arg == "--conf" || (cIsConf && arg == "-c"))
	{
		options.confPath = cursor.value(arg);
		options.confGiven = true;
	}
	else if (arg == "-e" || arg == "--email") options.email = cursor.value(arg);
	else if (arg == "-p" || arg == "--password") options.password = cursor.value(arg);
	else if (arg == "-s" || arg == "--smtp") options.smtpHost = cursor.value(arg);
	else if (arg == "-P" || arg == "--pop") options.popHost = cursor.value(arg);
	else if (arg == "-I" || arg == "--imap") options.imapHost = cursor.value(arg);
	else if (arg == "--tls") options.tls = true;
	else if (arg == "--imaps") options.imaps = true;
	else if (arg == "--auth") options.auth = true;
	else if (arg == "-h" || arg == "--help") options.mode = AgentMode::Help;
	else return false;
	return true;
}


void takeModeOption(const std::string& arg, ArgCursor& cursor, AgentOptions& options)
{
	switch (options.mode)
	{
	case AgentMode::Send:
		if (arg == "--to")
		{
			options.to.push_back(cursor.value(arg));
			return;
		}
		if (arg == "--subject")
		{
			options.subject = cursor.value(arg);
			return;
		}
		if (arg == "--body" || arg == "--body-file")
		{
			if (options.bodyGiven) throw UsageError("give one of --body and --body-file, once");
			(arg == "--body" ? options.body : options.bodyFile) = cursor.value(arg);
			options.bodyGiven = true;
			return;
		}
		break;
	case AgentMode::Ping:
		if (arg == "-c")
		{
			options.ping.count = parseCount(arg, cursor.value(arg), 1, MaxCount);
			return;
		}
		if (arg == "-i")
		{
			options.ping.interval = parseSeconds(arg, cursor.value(arg));
			return;
		}
		if (arg == "-W")
		{
			options.ping.timeout = parseSeconds(arg, cursor.value(arg));
			return;
		}
		break;
	case AgentMode::Trace:
		if (arg == "--max-hops" || arg == "-m")
		{
			options.trace.maxHops = parseCount(arg, cursor.value(arg), 1, MaxHopsLimit);
			return;
		}
		if (arg == "-W")
		{
			options.trace.timeout = parseSeconds(arg, cursor.value(arg));
			return;
		}
		if (arg == "-n")
		{
			options.trace.numeric = true;
			return;
		}
		break;
	default:
		break;
	}
	throw UsageError("unknown option " + arg);
}


void takeOperand(const std::string& arg, AgentOptions& options)
{
	switch (options.mode)
	{
	case AgentMode::Interactive:
		if (arg == "send") options.mode = AgentMode::Send;
		else if (arg == "pop") options.mode = AgentMode::Pop;
		else if (arg == "imap") options.mode = AgentMode::Imap;
		else if (arg == "ping") options.mode = AgentMode::Ping;
		else if (arg == "trace") options.mode = AgentMode::Trace;
		else if (arg == "hash-password") options.mode = AgentMode::HashPassword;
		else if (arg == "journey") options.mode = AgentMode::Journey;
		else throw UsageError("unknown command " + arg + " (send, pop, imap, ping, trace, hash-password or journey)");
		return;
	case AgentMode::Pop:
		options.popCommand.push_back(arg);
		return;
	case AgentMode::Imap:
		options.imapCommand.push_back(arg);
		return;
	case AgentMode::Ping:
	case AgentMode::Trace:
		if (!options.host.empty()) throw UsageError("one HOST only, not also " + arg);
		options.host = arg;
		return;
	case AgentMode::Journey:
		if (!options.messageId.empty()) throw UsageError("one MESSAGE-ID only, not also " + arg);
		options.messageId = arg;
		return;
	default:
		throw UsageError("unexpected argument " + arg);
	}
}


void checkComplete(const AgentOptions& options)
{
	switch (options.mode)
	{
	case AgentMode::Help:
	case AgentMode::HashPassword:
		return;
	case AgentMode::Ping:
	case AgentMode::Trace:
		if (options.host.empty()) throw UsageError("missing HOST");
		return;
	case AgentMode::Journey:
		if (options.messageId.empty()) throw UsageError("journey needs a MESSAGE-ID (the Message-ID header, brackets optional)");
		return;
	default:
		break;
	}
	if (options.email.empty() || options.password.empty())
		throw UsageError("-e EMAIL and -p PASSWORD are required");
	if (options.email.find('@') == std::string::npos || options.email.front() == '@' || options.email.back() == '@')
		throw UsageError("-e wants an email address like user@example.com, not '" + options.email + "'");
	if (options.mode == AgentMode::Send)
	{
		if (options.to.empty()) throw UsageError("send needs at least one --to");
		if (!options.bodyGiven) throw UsageError("send needs --body TEXT or --body-file FILE");
	}
	if (options.mode == AgentMode::Pop && options.popCommand.empty())
		throw UsageError("pop needs a command: stat, list [N], retr N, dele N, uidl [N] or top N L");
	if (options.mode == AgentMode::Imap && options.imapCommand.empty())
		throw UsageError("imap needs a command: stat, list, read UID, flag UID FLAG.., unflag UID FLAG.. or expunge");
}


} // namespace


AgentOptions parseAgentOptions(const std::vector<std::string>& args)
{
	AgentOptions options;
	ArgCursor cursor(args);
	while (!cursor.done())
	{
		const std::string& arg = cursor.take();
		bool cIsConf = options.mode != AgentMode::Ping;
		if (takeCommonOption(arg, cursor, options, cIsConf)) continue;
		if (arg.size() > 1 && arg[0] == '-' && options.mode != AgentMode::Pop && options.mode != AgentMode::Imap)
			takeModeOption(arg, cursor, options);
		else
			takeOperand(arg, options);
		if (options.mode == AgentMode::Help) break;
	}
	checkComplete(options);
	return options;
}


std::string agentUsage()
{
	return "usage: mail-agent -e EMAIL -p PASSWORD [--conf FILE] [-s SMTP_HOST] [-P POP_HOST] [-I IMAP_HOST]\n"
		   "                  [--tls] [--imaps] [--auth]\n"
		   "       mail-agent -e EMAIL -p PASSWORD send --to ADDR [--to ADDR ...] --subject S\n"
		   "                  (--body TEXT | --body-file FILE)\n"
		   "       mail-agent -e EMAIL -p PASSWORD pop stat|list [N]|retr N|dele N|uidl [N]|top N L\n"
		   "       mail-agent -e EMAIL -p PASSWORD imap stat|list|read UID|flag UID FLAG..|unflag UID FLAG..|expunge\n"
		   "       mail-agent ping HOST [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [--conf FILE]\n"
		   "       mail-agent trace HOST [--max-hops N] [-W TIMEOUT] [-n] [--conf FILE]\n"
		   "       mail-agent hash-password   (reads a password, prints a hash for accounts:)\n"
		   "       mail-agent journey MESSAGE-ID [--conf FILE]   (the message's path, from the servers' http: APIs)\n"
		   "       mail-agent --version\n"
		   "Without a command it reads [smtp|pop|exit] commands (and imap) from standard input; Ctrl-C leaves.\n"
		   "--tls: STARTTLS/STLS first (the certificate is not verified); --auth: SMTP AUTH PLAIN.\n"
		   "IMAP: -I HOST[:PORT], else mail-dns's SRV record _imap._tcp.DOMAIN (_imaps._tcp with --imaps,\n"
		   "IMAP over TLS from the start); FLAG is seen, flagged, deleted or answered.\n"
		   "--conf FILE (or -c FILE before the command) defaults to conf/mail.yaml; after ping,\n"
		   "-c is the count and --conf the only config flag.\n";
}


} // namespace mail
