// config_faults.h - the `faults:` rules (SMTP/POP3) and `dns.faults` rules, as read from the config.
//
// Pure data plus the checked readers: a rule that loads can be applied as is. The engines
// that evaluate them are server/faults (sessions) and dns/dns_faults (the responder); the
// shared limits (probability, times, for) are common/fault_gate.
#pragma once

#include "common/base/seconds.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>


namespace YAML {
class Node;
}


namespace mail {


enum class FaultStage
{
	Connect,   ///< the TCP connection is accepted (before a TLS handshake on smtps)
	Greeting,  ///< instead of the 220 greeting
	Ehlo,      ///< EHLO or HELO
	Mail,      ///< MAIL FROM
	Rcpt,      ///< RCPT TO
	Data,      ///< the DATA command, before 354
	EndOfData, ///< the final dot, before the message is stored
	User,      ///< POP3 USER
	Pass,      ///< POP3 PASS
	Retr       ///< POP3 RETR
};

const char* toString(FaultStage stage);
bool isPop3Stage(FaultStage stage);


enum class FaultAction
{
	Reply, ///< answer with the rule's 4xx/5xx reply instead
	Drop,  ///< close the connection without a word
	Delay, ///< wait, then proceed as usual
	Stall  ///< never answer until the client gives up, the session times out or the server stops
};

const char* toString(FaultAction action);


struct FaultLimits
/// What bounds when a matching rule fires; shared by the session and DNS rules.
{
	double probability = 1.0; ///< 0..1, drawn from the seeded generator
	std::uint64_t times = 0;  ///< fire at most this often; 0: no bound
	Seconds lifetime{0};      ///< `for:` expires this long after the rule was installed; 0: never
};


enum FaultKey : unsigned
/// Fields a rule may match on and remember (`per:`), as bits.
{
	FaultClient = 1,
	FaultSender = 2,
	FaultRecipient = 4
};


struct FaultRule
/// One entry of `faults.rules`.
{
	FaultStage stage = FaultStage::Connect;
	std::string sender;    ///< match.sender; empty: any
	std::string recipient; ///< match.recipient (POP3: the USER name); empty: any
	std::string client;    ///< match.client (IP address); empty: any
	FaultAction action = FaultAction::Reply;
	std::string reply; ///< "451 4.7.1 text" (Reply)
	Seconds delay{0};  ///< Delay
	FaultLimits limits;
	unsigned per = 0;   ///< FaultKey bits: greylisting memory; 0: none
	Seconds minWait{0}; ///< with per: a retry this much later passes

	int replyCode() const;         ///< 451 from reply
	std::string replyText() const; ///< "4.7.1 text" from reply
};


struct FaultsConfig
/// `faults: { seed, rules }`, top level or per server.
{
	std::optional<std::uint64_t> seed; ///< unset: a random seed
	std::vector<FaultRule> rules;
};


enum class DnsFaultAction
{
	Servfail,
	Refused,
	Drop,
	Delay,
	Nxdomain
};

const char* toString(DnsFaultAction action);


struct DnsFaultRule
/// One entry of `dns.faults.rules`.
{
	std::string name;       ///< lower-case, no trailing dot (normalizeName); may hold * and ? globs
	std::uint16_t type = 0; ///< query type (A, MX, P); 0 (ANY or left out): every type
	DnsFaultAction action = DnsFaultAction::Servfail;
	Seconds delay{0}; ///< Delay: then answered as usual
	FaultLimits limits;
};


struct DnsFaultsConfig
{
	std::optional<std::uint64_t> seed;
	std::vector<DnsFaultRule> rules;
};


void readFaults(const YAML::Node& node, const std::string& key, FaultsConfig& faults);
/// Applies a `faults:` map onto faults (seed and rules each replace what was there).
/// Throws NodeError (yaml_checks.h) on any bad key or value.
void readDnsFaults(const YAML::Node& node, const std::string& key, DnsFaultsConfig& faults);

FaultRule parseFaultRule(const std::string& yaml);
DnsFaultRule parseDnsFaultRule(const std::string& yaml);
/// One rule written as YAML (`{stage: rcpt, reply: "451 4.7.1 later"}`), for rules added
/// while running; throws std::invalid_argument with the reason.

std::string toYaml(const FaultRule& rule);
std::string toYaml(const DnsFaultRule& rule);
/// A rule as one line of flow YAML that parseFaultRule() reads back.


} // namespace mail
