// fault_gate.h - what session and DNS fault rules share: glob matching, the seeded dice, limits.
#pragma once

#include "common/config/config_faults.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>


namespace mail {


using FaultClock = std::chrono::steady_clock;


bool faultPatternMatches(const std::string& pattern, const std::string& text);
/// A `match:` value against a lower-cased value: empty matches anything; "@x" is the
/// domain x (the part after the last @); otherwise an exact text with * (any run) and
/// ? (one character) globs, so "*@x" and "127.0.0.*" work.


class FaultDice
/// The seeded generator behind `probability:`: the same seed and the same sequence of
/// matching events give the same faults. Not thread-safe (the rule sets lock around it).
{
public:
	explicit FaultDice(std::optional<std::uint64_t> seed) { reseed(seed); }
	void reseed(std::optional<std::uint64_t> seed);
	bool roll(double probability);
	/// True with that probability; 1 and 0 are certain and draw nothing.

private:
	std::mt19937_64 _engine;
};


struct FaultGate
/// One installed rule's limits: `times` counts what fired, `for` counts from install.
{
	explicit FaultGate(const FaultLimits& limits, FaultClock::time_point installed = FaultClock::now()):
		limits(limits),
		installed(installed)
	{
	}

	bool open(FaultClock::time_point now) const;
	/// Not expired and not used up (before the dice).

	FaultLimits limits;
	FaultClock::time_point installed;
	std::uint64_t hits = 0; ///< how often the rule fired
};


} // namespace mail
