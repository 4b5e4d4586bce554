// fault_rules.h - the installed `faults:` rules of one server and their evaluation.
//
// Sessions are threads: evaluate() takes one mutex, and only when a rule is installed
// (active() is one relaxed atomic load, so a server without faults pays that and nothing
// else). The rules change while running through add/clear (control socket, HTTP API) and
// replace (SIGHUP reload from the config).
#pragma once

#include "common/config/config_faults.h"
#include "common/ops/fault_gate.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>


namespace mail {


struct FaultQuery
/// What a session knows at a stage; addresses as written (compared lower-cased).
{
	FaultStage stage = FaultStage::Connect;
	std::string client;                  ///< peer IP address
	std::string sender;                  ///< MAIL FROM (empty: none or the null sender)
	std::vector<std::string> recipients; ///< RCPT: the one asked for; DATA: all accepted; POP3: the USER
};


struct FaultHit
/// A rule that fired: what the session does.
{
	std::size_t rule = 0; ///< 1-based position, as `fault list` numbers it
	FaultAction action = FaultAction::Reply;
	int code = 0;     ///< Reply
	std::string text; ///< Reply: the text after the code
	Seconds delay{0}; ///< Delay
};


struct FaultRuleStatus
{
	FaultRule rule;
	std::uint64_t hits = 0;
};


class FaultRules
{
public:
	static constexpr std::size_t kMaxRemembered = 10000; ///< `per:` entries kept per rule; the oldest go first

	explicit FaultRules(const FaultsConfig& config = {});

	bool active() const { return _active.load(std::memory_order_relaxed); }
	/// Whether any rule is installed: the hooks' one check.

	std::optional<FaultHit> evaluate(const FaultQuery& query, FaultClock::time_point now = FaultClock::now());
	/// The first rule that matches the query and fires (limits open, dice rolled, not a
	/// `per:` retry after min_wait); counts its hit. Thread-safe.

	void replace(const FaultsConfig& config, FaultClock::time_point now = FaultClock::now());
	/// All rules (and the seed, when given) from a reloaded config; counts and memory restart.
	std::size_t add(const FaultRule& rule, FaultClock::time_point now = FaultClock::now());
	/// Appends a rule (logged); returns its 1-based number.
	std::size_t clear(); ///< removes every rule (logged); returns how many there were
	std::vector<FaultRuleStatus> list() const;

private:
	struct Installed
	{
		Installed(const FaultRule& rule, FaultClock::time_point now):
			rule(rule), gate(rule.limits, now) {}

		FaultRule rule;
		FaultGate gate;
		std::unordered_map<std::string, FaultClock::time_point> firstSeen; ///< per: key -> first attempt
		std::deque<std::string> seenOrder;                                 ///< oldest first, to bound firstSeen
	};

	static bool matches(const FaultRule& rule, const FaultQuery& query);
	static bool passesAsRetry(Installed& installed, const FaultQuery& query, FaultClock::time_point now);
	/// `per:` memory: false the first time (remembered), true once min_wait has gone by.

	mutable std::mutex _mutex;
	std::vector<Installed> _rules;
	FaultDice _dice;
	std::atomic<bool> _active{false};
};


} // namespace mail
