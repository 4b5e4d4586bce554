// retry_policy.cpp - the relay.retry schedule and relay.expire.
#include "server/relay/retry_policy.h"

#include <Poco/Bugcheck.h>
#include <Poco/Timestamp.h>

#include <algorithm>


namespace mail {


std::int64_t epochSeconds()
{
	return Poco::Timestamp().epochTime();
}


RetryPolicy::RetryPolicy(const RelayConfig& config):
	_retry(config.retry),
	_expire(config.expire)
{
	poco_assert(!_retry.empty());
}


Seconds RetryPolicy::delayAfter(unsigned attempts) const
{
	const std::size_t index = std::min<std::size_t>(attempts == 0 ? 0 : attempts - 1, _retry.size() - 1);
	return _retry[index];
}


bool RetryPolicy::expired(std::int64_t arrival, std::int64_t now) const
{
	return now - arrival >= _expire.count();
}


std::int64_t RetryPolicy::nextAttempt(std::int64_t arrival, unsigned attempts, std::int64_t now) const
{
	return std::min<std::int64_t>(now + delayAfter(attempts).count(), arrival + _expire.count());
}


} // namespace mail
