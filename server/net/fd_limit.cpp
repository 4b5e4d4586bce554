// fd_limit.cpp - the process's file descriptor limit against what the configured limits need.
#include "server/net/fd_limit.h"

#include <sys/resource.h>

#include <limits>


namespace mail {


namespace {


/// Per port, the listener runs this many threads beyond max_sessions to answer
/// over-limit clients (tcp_listener.cpp kRejectThreads).
constexpr std::size_t kRejectSessions = 16;
/// Listening sockets, log file, DNS sockets, Maildir and queue files in flight.
constexpr std::size_t kReserve = 64;


} // namespace


std::size_t descriptorsNeeded(const ServerConfig& server)
{
	std::size_t ports = 0;
	for (unsigned port: {server.smtp, server.pop, server.smtps, server.pops, server.imap, server.imaps})
		if (port != 0) ++ports;
	return ports * (server.limits.maxSessions + kRejectSessions) + std::size_t{2} * server.relay.workers + kReserve;
}


std::size_t raiseDescriptorLimit()
{
	rlimit limit{};
	if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
	if (limit.rlim_cur < limit.rlim_max)
	{
		rlimit raised = limit;
		raised.rlim_cur = limit.rlim_max;
		if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
	}
	if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > std::numeric_limits<std::size_t>::max())
		return std::numeric_limits<std::size_t>::max();
	return static_cast<std::size_t>(limit.rlim_cur);
}


} // namespace mail
