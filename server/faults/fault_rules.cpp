// fault_rules.cpp - matching, limits and greylisting memory of a server's fault rules.
#include "server/faults/fault_rules.h"

#include <Poco/Logger.h>
#include <Poco/String.h>


namespace mail {


FaultRules::FaultRules(const FaultsConfig& config):
	_dice(config.seed)
{
	replace(config);
}


bool FaultRules::matches(const FaultRule& rule, const FaultQuery& query)
{
	if (rule.stage != query.stage) return false;
	if (!faultPatternMatches(rule.client, Poco::toLower(query.client))) return false;
	if (!faultPatternMatches(rule.sender, Poco::toLower(query.sender))) return false;
	if (rule.recipient.empty()) return true;
	// DATA and the end of data carry every accepted recipient: one matching is enough.
	for (const auto& recipient: query.recipients)
	{
		if (faultPatternMatches(rule.recipient, Poco::toLower(recipient))) return true;
	}
	return false;
}


bool FaultRules::passesAsRetry(Installed& installed, const FaultQuery& query, FaultClock::time_point now)
{
	const unsigned per = installed.rule.per;
	if (!per) return false;
	std::string key;
	if (per & FaultClient) key += Poco::toLower(query.client);
	key += '\n';
	if (per & FaultSender) key += Poco::toLower(query.sender);
	for (const auto& recipient: query.recipients)
	{
		if (per & FaultRecipient) key += '\n' + Poco::toLower(recipient);
	}
	const auto seen = installed.firstSeen.find(key);
	if (seen != installed.firstSeen.end()) return now - seen->second >= installed.rule.minWait;
	if (installed.seenOrder.size() >= kMaxRemembered)
	{
		installed.firstSeen.erase(installed.seenOrder.front());
		installed.seenOrder.pop_front();
	}
	installed.firstSeen.emplace(key, now);
	installed.seenOrder.push_back(key);
	return false;
}


std::optional<FaultHit> FaultRules::evaluate(const FaultQuery& query, FaultClock::time_point now)
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (std::size_t i = 0; i < _rules.size(); ++i)
	{
		Installed& installed = _rules[i];
		const FaultRule& rule = installed.rule;
		if (!matches(rule, query) || !installed.gate.open(now)) continue;
		if (passesAsRetry(installed, query, now) || !_dice.roll(rule.limits.probability)) continue;
		++installed.gate.hits;
		FaultHit hit;
		hit.rule = i + 1;
		hit.action = rule.action;
		hit.code = rule.replyCode();
		hit.text = rule.replyText();
		hit.delay = rule.delay;
		return hit;
	}
	return std::nullopt;
}


void FaultRules::replace(const FaultsConfig& config, FaultClock::time_point now)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_rules.clear();
	for (const auto& rule: config.rules) _rules.emplace_back(rule, now);
	if (config.seed) _dice.reseed(config.seed);
	_active = !_rules.empty();
}


std::size_t FaultRules::add(const FaultRule& rule, FaultClock::time_point now)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_rules.emplace_back(rule, now);
	_active = true;
	Poco::Logger::get("app").information("- fault added rule=%s", toYaml(rule));
	return _rules.size();
}


std::size_t FaultRules::clear()
{
	std::lock_guard<std::mutex> lock(_mutex);
	const std::size_t count = _rules.size();
	_rules.clear();
	_active = false;
	Poco::Logger::get("app").information("- faults cleared rules=%z", count);
	return count;
}


std::vector<FaultRuleStatus> FaultRules::list() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<FaultRuleStatus> out;
	for (const auto& installed: _rules) out.push_back({installed.rule, installed.gate.hits});
	return out;
}


} // namespace mail
