// fault_gate.cpp - glob matching, the seeded dice, the times/for limits of a fault rule.
#include "common/ops/fault_gate.h"


namespace mail {


namespace {


bool glob(const char* p, const char* t)
/// Iterative * and ? matching with one backtrack point (linear for one *, no recursion).
{
	const char* star = nullptr;
	const char* resume = nullptr;
	while (*t)
	{
		if (*p == '*')
		{
			star = p++;
			resume = t;
		}
		else if (*p == '?' || *p == *t)
		{
			++p;
			++t;
		}
		else if (star)
		{
			p = star + 1;
			t = ++resume;
		}
		else return false;
	}
	while (*p == '*') ++p;
	return *p == '\0';
}


} // namespace


bool faultPatternMatches(const std::string& pattern, const std::string& text)
{
	if (pattern.empty()) return true;
	if (pattern.front() == '@')
	{
		const std::size_t at = text.rfind('@');
		return at != std::string::npos && text.compare(at, std::string::npos, pattern) == 0;
	}
	return glob(pattern.c_str(), text.c_str());
}


void FaultDice::reseed(std::optional<std::uint64_t> seed)
{
	_engine.seed(seed ? *seed : std::random_device{}());
}


bool FaultDice::roll(double probability)
{
	if (probability >= 1.0) return true;
	if (probability <= 0.0) return false;
	// 53 random bits as a double in [0, 1): the same on every platform for one seed.
	const double draw = static_cast<double>(_engine() >> 11) * (1.0 / 9007199254740992.0);
	return draw < probability;
}


bool FaultGate::open(FaultClock::time_point now) const
{
	if (limits.times && hits >= limits.times) return false;
	return limits.lifetime.count() == 0 || now - installed < limits.lifetime;
}


} // namespace mail
