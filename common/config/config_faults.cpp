// config_faults.cpp - reading `faults:` and `dns.faults` rules, every key checked.
#include "common/config/config_faults.h"

#include "common/dns/dns_message.h"
#include "common/config/yaml_checks.h"
#include "common/config/zone.h"

#include <Poco/NumberFormatter.h>
#include <Poco/String.h>

#include <cstdlib>
#include <stdexcept>


namespace mail {


namespace {


struct StageName
{
	FaultStage stage;
	const char* name;
	unsigned knows; ///< FaultKey bits the stage can match on
};

const StageName kStages[] = {
	{FaultStage::Connect, "connect", FaultClient},
	{FaultStage::Greeting, "greeting", FaultClient},
	{FaultStage::Ehlo, "ehlo", FaultClient},
	{FaultStage::Mail, "mail", FaultClient | FaultSender},
	{FaultStage::Rcpt, "rcpt", FaultClient | FaultSender | FaultRecipient},
	{FaultStage::Data, "data", FaultClient | FaultSender | FaultRecipient},
	{FaultStage::EndOfData, "end_of_data", FaultClient | FaultSender | FaultRecipient},
	{FaultStage::User, "user", FaultClient | FaultRecipient},
	{FaultStage::Pass, "pass", FaultClient | FaultRecipient},
	{FaultStage::Retr, "retr", FaultClient | FaultRecipient},
};

const char* const kKeyNames[] = {"client", "sender", "recipient"}; ///< bit i is 1 << i

const char* const kDnsActions[] = {"servfail", "refused", "drop", "delay", "nxdomain"};

const std::pair<const char*, std::uint16_t> kDnsTypes[] = {{"A", dns::TypeA}, {"MX", dns::TypeMx}, {"P", dns::TypeP}, {"ANY", 0}}; ///< ANY: every type, as when left out


bool validReply(const std::string& reply)
/// RFC 5321 4.2: a 4yz or 5yz code (second digit 0-5), a space, some text, one line.
{
	if (reply.size() < 5 || (reply[0] != '4' && reply[0] != '5') || reply[1] < '0' || reply[1] > '5') return false;
	if (reply[2] < '0' || reply[2] > '9' || reply[3] != ' ') return false;
	return reply.find_first_of("\r\n") == std::string::npos && !Poco::trim(reply.substr(4)).empty();
}


double readProbability(const YAML::Node& node, const std::string& key)
{
	const std::string text = readScalar(node, key);
	char* end = nullptr;
	const double value = std::strtod(text.c_str(), &end);
	if (end != text.c_str() + text.size() || !(value >= 0.0 && value <= 1.0))
		failAt(node, key, "expected a number from 0 to 1, got '" + text + "'");
	return value;
}


void readLimits(const YAML::Node& node, const std::string& key, FaultLimits& limits)
{
	const auto k = [&](const char* name) { return childKey(key, name); };
	if (node["probability"]) limits.probability = readProbability(node["probability"], k("probability"));
	if (node["times"]) limits.times = readUnsigned(node["times"], k("times"), 1, 1000000000);
	if (node["for"])
	{
		limits.lifetime = readDuration(node["for"], k("for"));
		if (limits.lifetime.count() == 0) failAt(node["for"], k("for"), "must be longer than 0s");
	}
}


bool readTrue(const YAML::Node& node, const std::string& key)
{
	if (!readBool(node, key)) failAt(node, key, "write the action as true, or leave it out");
	return true;
}


unsigned readPer(const YAML::Node& node, const std::string& key, unsigned knows, const char* stage)
{
	if (!node.IsSequence() || node.size() == 0) failAt(node, key, "expected a list of client, sender, recipient");
	unsigned per = 0;
	for (std::size_t i = 0; i < node.size(); ++i)
	{
		const std::string itemKey = key + "[" + std::to_string(i) + "]";
		const std::string name = readScalar(node[i], itemKey);
		unsigned bit = 0;
		for (unsigned b = 0; b < 3; ++b)
		{
			if (name == kKeyNames[b]) bit = 1u << b;
		}
		if (bit == 0) failAt(node[i], itemKey, "expected client, sender or recipient, got '" + name + "'");
		if (per & bit) failAt(node[i], itemKey, name + " listed twice");
		if (!(knows & bit)) failAt(node[i], itemKey, std::string("stage ") + stage + " does not know the " + name);
		per |= bit;
	}
	return per;
}


FaultRule readRule(const YAML::Node& node, const std::string& key)
{
	requireMap(node, key);
	checkKeys(node, key, {"stage", "match", "reply", "drop", "delay", "stall", "probability", "times", "for", "per", "min_wait"});
	const auto k = [&](const char* name) { return childKey(key, name); };
	FaultRule rule;
	if (!node["stage"]) failAt(node, k("stage"), "missing (connect, greeting, ehlo, mail, rcpt, data, end_of_data, user, pass or retr)");
	const std::string stage = readScalar(node["stage"], k("stage"));
	const StageName* found = nullptr;
	for (const auto& s: kStages)
	{
		if (stage == s.name) found = &s;
	}
	if (!found)
		failAt(node["stage"], k("stage"), "unknown stage '" + stage + "' (connect, greeting, ehlo, mail, rcpt, data, end_of_data, user, pass or retr)");
	rule.stage = found->stage;
	if (node["match"])
	{
		const YAML::Node match = node["match"];
		requireMap(match, k("match"));
		checkKeys(match, k("match"), {"client", "sender", "recipient"});
		std::string* fields[] = {&rule.client, &rule.sender, &rule.recipient};
		for (unsigned b = 0; b < 3; ++b)
		{
			if (!match[kKeyNames[b]]) continue;
			const std::string fieldKey = childKey(k("match"), kKeyNames[b]);
			if (!(found->knows & (1u << b)))
				failAt(match[kKeyNames[b]], fieldKey, "stage " + stage + " does not know the " + kKeyNames[b]);
			*fields[b] = Poco::toLower(readScalar(match[kKeyNames[b]], fieldKey));
		}
	}
	unsigned actions = 0;
	if (node["reply"])
	{
		++actions;
		rule.action = FaultAction::Reply;
		rule.reply = readScalar(node["reply"], k("reply"));
		if (!validReply(rule.reply))
			failAt(node["reply"], k("reply"), "'" + rule.reply + "' is not a refusal: a reply fault must be a 4xx or 5xx code and text, e.g. \"451 4.7.1 Try again later\" (a 2xx would claim mail that is not stored)");
	}
	if (node["drop"] && readTrue(node["drop"], k("drop"))) ++actions, rule.action = FaultAction::Drop;
	if (node["stall"] && readTrue(node["stall"], k("stall"))) ++actions, rule.action = FaultAction::Stall;
	if (node["delay"])
	{
		++actions;
		rule.action = FaultAction::Delay;
		rule.delay = readDuration(node["delay"], k("delay"));
		if (rule.delay.count() == 0) failAt(node["delay"], k("delay"), "must be longer than 0s");
	}
	if (actions != 1) failAt(node, key, "expected exactly one action: reply, drop, delay or stall");
	readLimits(node, key, rule.limits);
	if (node["per"]) rule.per = readPer(node["per"], k("per"), found->knows, found->name);
	if (node["min_wait"])
	{
		if (!rule.per) failAt(node["min_wait"], k("min_wait"), "needs per: (what the rule remembers)");
		rule.minWait = readDuration(node["min_wait"], k("min_wait"));
	}
	return rule;
}


DnsFaultRule readDnsRule(const YAML::Node& node, const std::string& key)
{
	requireMap(node, key);
	checkKeys(node, key, {"name", "type", "action", "delay", "probability", "times", "for"});
	const auto k = [&](const char* name) { return childKey(key, name); };
	DnsFaultRule rule;
	if (!node["name"]) failAt(node, k("name"), "missing (the query name, e.g. gmail.com.)");
	rule.name = normalizeName(readScalar(node["name"], k("name")));
	if (node["type"])
	{
		const std::string type = Poco::toUpper(readScalar(node["type"], k("type")));
		bool known = false;
		for (const auto& t: kDnsTypes)
		{
			if (type == t.first) rule.type = t.second, known = true;
		}
		if (!known) failAt(node["type"], k("type"), "unknown type '" + type + "' (A, MX, P or ANY)");
	}
	if (!node["action"]) failAt(node, k("action"), "missing (servfail, refused, drop, delay or nxdomain)");
	const std::string action = readScalar(node["action"], k("action"));
	bool known = false;
	for (std::size_t i = 0; i < sizeof kDnsActions / sizeof kDnsActions[0]; ++i)
	{
		if (action == kDnsActions[i]) rule.action = static_cast<DnsFaultAction>(i), known = true;
	}
	if (!known) failAt(node["action"], k("action"), "unknown action '" + action + "' (servfail, refused, drop, delay or nxdomain)");
	if ((rule.action == DnsFaultAction::Delay) != static_cast<bool>(node["delay"]))
		failAt(node, k("delay"), "delay: DURATION goes with action: delay, and only with it");
	if (node["delay"])
	{
		rule.delay = readDuration(node["delay"], k("delay"));
		if (rule.delay.count() == 0) failAt(node["delay"], k("delay"), "must be longer than 0s");
	}
	readLimits(node, key, rule.limits);
	return rule;
}


template <typename Rule, typename Read>
std::vector<Rule> readRules(const YAML::Node& node, const std::string& key, Read read)
{
	if (node.IsNull()) return {};
	if (!node.IsSequence()) failAt(node, key, "expected a list of rules");
	std::vector<Rule> rules;
	for (std::size_t i = 0; i < node.size(); ++i) rules.push_back(read(node[i], key + "[" + std::to_string(i) + "]"));
	return rules;
}


template <typename Rule, typename Read>
Rule parseRule(const std::string& text, Read read)
{
	try
	{
		return read(YAML::Load(text), "rule");
	}
	catch (const NodeError& exc)
	{
		throw std::invalid_argument(exc.key + ": " + exc.what());
	}
	catch (const YAML::Exception& exc)
	{
		throw std::invalid_argument("not YAML: " + exc.msg);
	}
}


std::string quoted(const std::string& text)
{
	std::string out = "\"";
	for (char c: text) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
	return out + "\"";
}


std::string limitsYaml(const FaultLimits& limits)
{
	std::string out;
	if (limits.probability < 1.0) out += ", probability: " + Poco::NumberFormatter::format(limits.probability);
	if (limits.times) out += ", times: " + std::to_string(limits.times);
	if (limits.lifetime.count()) out += ", for: " + std::to_string(limits.lifetime.count()) + "s";
	return out;
}


} // namespace


const char* toString(FaultStage stage)
{
	for (const auto& s: kStages)
	{
		if (s.stage == stage) return s.name;
	}
	return "unknown";
}


bool isPop3Stage(FaultStage stage)
{
	return stage == FaultStage::User || stage == FaultStage::Pass || stage == FaultStage::Retr;
}


const char* toString(FaultAction action)
{
	switch (action)
	{
	case FaultAction::Reply: return "reply";
	case FaultAction::Drop: return "drop";
	case FaultAction::Delay: return "delay";
	case FaultAction::Stall: return "stall";
	}
	return "unknown";
}


const char* toString(DnsFaultAction action)
{
	return kDnsActions[static_cast<std::size_t>(action)];
}


int FaultRule::replyCode() const
{
	return reply.size() >= 3 ? std::atoi(reply.substr(0, 3).c_str()) : 0;
}


std::string FaultRule::replyText() const
{
	return reply.size() > 4 ? reply.substr(4) : std::string();
}


void readFaults(const YAML::Node& node, const std::string& key, FaultsConfig& faults)
{
	requireMap(node, key);
	checkKeys(node, key, {"seed", "rules"});
	if (node["seed"]) faults.seed = readUnsigned(node["seed"], childKey(key, "seed"), 0, UINT64_MAX);
	if (node["rules"]) faults.rules = readRules<FaultRule>(node["rules"], childKey(key, "rules"), readRule);
}


void readDnsFaults(const YAML::Node& node, const std::string& key, DnsFaultsConfig& faults)
{
	requireMap(node, key);
	checkKeys(node, key, {"seed", "rules"});
	if (node["seed"]) faults.seed = readUnsigned(node["seed"], childKey(key, "seed"), 0, UINT64_MAX);
	if (node["rules"]) faults.rules = readRules<DnsFaultRule>(node["rules"], childKey(key, "rules"), readDnsRule);
}


FaultRule parseFaultRule(const std::string& yaml)
{
	return parseRule<FaultRule>(yaml, readRule);
}


DnsFaultRule parseDnsFaultRule(const std::string& yaml)
{
	return parseRule<DnsFaultRule>(yaml, readDnsRule);
}


std::string toYaml(const FaultRule& rule)
{
	std::string out = std::string("{stage: ") + toString(rule.stage);
	std::string match;
	const std::string* fields[] = {&rule.client, &rule.sender, &rule.recipient};
	for (unsigned b = 0; b < 3; ++b)
	{
		if (!fields[b]->empty()) match += (match.empty() ? "" : ", ") + std::string(kKeyNames[b]) + ": " + quoted(*fields[b]);
	}
	if (!match.empty()) out += ", match: {" + match + "}";
	switch (rule.action)
	{
	case FaultAction::Reply: out += ", reply: " + quoted(rule.reply); break;
	case FaultAction::Drop: out += ", drop: true"; break;
	case FaultAction::Delay: out += ", delay: " + std::to_string(rule.delay.count()) + "s"; break;
	case FaultAction::Stall: out += ", stall: true"; break;
	}
	out += limitsYaml(rule.limits);
	if (rule.per)
	{
		std::string per;
		for (unsigned b = 0; b < 3; ++b)
		{
			if (rule.per & (1u << b)) per += (per.empty() ? "" : ", ") + std::string(kKeyNames[b]);
		}
		out += ", per: [" + per + "], min_wait: " + std::to_string(rule.minWait.count()) + "s";
	}
	return out + "}";
}


std::string toYaml(const DnsFaultRule& rule)
{
	std::string out = "{name: " + quoted(rule.name + ".");
	for (const auto& t: kDnsTypes)
	{
		if (rule.type == t.second) out += std::string(", type: ") + t.first;
	}
	out += std::string(", action: ") + toString(rule.action);
	if (rule.action == DnsFaultAction::Delay) out += ", delay: " + std::to_string(rule.delay.count()) + "s";
	return out + limitsYaml(rule.limits) + "}";
}


} // namespace mail
