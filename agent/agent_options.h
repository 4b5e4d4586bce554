// agent_options.h - mail-agent's command line (SPEC.md "Programs"), parsed without I/O.
//
// Hand-parsed rather than with Poco::Util::OptionSet because the meaning of `-c` depends
// on the subcommand (`--conf` in general, the count after `ping`), and `--to` repeats.
//   mail-agent -e EMAIL -p PASSWORD [--conf FILE] [-s SMTP_HOST] [-P POP_HOST]
//   mail-agent -e .. -p .. send --to A [--to B ...] --subject S (--body TEXT | --body-file F)
//   mail-agent -e .. -p .. pop stat|list [N]|retr N|dele N|uidl [N]|top N L
//   mail-agent -e .. -p .. [-I IMAP_HOST] [--imaps] imap stat|list|read UID|flag UID F..|unflag UID F..|expunge
//   mail-agent ping HOST [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [--conf FILE]
//   mail-agent trace HOST [--max-hops N] [-W TIMEOUT] [-n] [--conf FILE]
//   mail-agent hash-password
//   mail-agent journey MESSAGE-ID [--conf FILE]
#pragma once

#include "agent/icmp/pinger.h"
#include "agent/icmp/tracer.h"

#include <stdexcept>
#include <string>
#include <vector>


namespace mail {


class UsageError: public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};


enum class AgentMode
{
	Interactive,
	Send,
	Pop,
	Imap,
	Ping,
	Trace,
	HashPassword,
	Journey,
	Help
};


struct AgentOptions
{
	AgentMode mode = AgentMode::Interactive;
	std::string confPath = "conf/mail.yaml";
	bool confGiven = false; ///< --conf on the command line (else a missing file is fine for ping/trace)
	std::string email;
	std::string password;
	std::string smtpHost; ///< -s: overrides agent: smtp
	std::string popHost;  ///< -P: overrides agent: pop
	std::string imapHost; ///< -I: the IMAP server (else the SRV record _imap._tcp.DOMAIN)
	bool tls = false;     ///< --tls: STARTTLS (SMTP, IMAP) and STLS (POP3) before anything else
	bool imaps = false;   ///< --imaps: IMAP over implicit TLS (_imaps._tcp.DOMAIN)
	bool auth = false;    ///< --auth: SMTP AUTH PLAIN with -e/-p before sending
	// send
	std::vector<std::string> to;
	std::string subject;
	std::string body;
	std::string bodyFile;
	bool bodyGiven = false;
	// pop
	std::vector<std::string> popCommand; ///< e.g. {"retr", "1"}
	// imap
	std::vector<std::string> imapCommand; ///< e.g. {"flag", "4", "seen"}
	// ping / trace
	std::string host;
	PingOptions ping;
	TraceOptions trace;
	// journey
	std::string messageId;
};


AgentOptions parseAgentOptions(const std::vector<std::string>& args);
/// args without the program name. Throws UsageError with a one-line reason.

std::string agentUsage();
///< The --help text.


} // namespace mail
