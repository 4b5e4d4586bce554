// envelope.cpp - minting the accepted message's id.
#include "server/mail/envelope.h"

#include <Poco/Timestamp.h>

#include <atomic>
#include <cstdio>


namespace mail {


std::string newEnvelopeId()
{
	// Seconds, microseconds and a process-wide counter: ordered by time within a process
	// (the queue lists oldest first by name), unique across restarts, and 16 hex digits
	// like a session id. No per-thread state: one atomic counter.
	static std::atomic<unsigned> counter{0};
	const Poco::Timestamp now;
	char buf[24];
	std::snprintf(buf, sizeof buf, "%08llx%05llx%03x", static_cast<unsigned long long>(now.epochTime()) & 0xffffffffull,
		static_cast<unsigned long long>(now.epochMicroseconds() % 1000000), counter.fetch_add(1) & 0xfffu);
	return buf;
}


} // namespace mail
