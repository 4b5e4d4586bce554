// retry_policy.h - when to try a deferred message again, and when to give up (relay.retry, relay.expire).
#pragma once

#include "common/config/config.h"

#include <cstdint>


namespace mail {


std::int64_t epochSeconds(); ///< now, in seconds since the Unix epoch (the envelope's times)


class RetryPolicy
{
public:
	explicit RetryPolicy(const RelayConfig& config);

	Seconds delayAfter(unsigned attempts) const;
	/// The wait after the given number of failed attempts (1 = after the first):
	/// relay.retry[attempts - 1], the last entry repeating.

	bool expired(std::int64_t arrival, std::int64_t now) const;
	/// True once relay.expire has passed since arrival: the message bounces.

	std::int64_t nextAttempt(std::int64_t arrival, unsigned attempts, std::int64_t now) const;
	/// now + delayAfter(attempts), but never later than the expiry time, so the last
	/// attempt happens when the message expires.

private:
	std::vector<Seconds> _retry;
	Seconds _expire;
};


} // namespace mail
