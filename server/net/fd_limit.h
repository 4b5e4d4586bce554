// fd_limit.h - the process's file descriptor limit against what the configured limits need.
//
// Every session holds one descriptor (its socket), so a server with the default
// limits.max_sessions of 1000 on two ports needs about 2,100; Debian's default soft limit
// is 1024. The soft limit is raised to the hard limit at start; what is still short is
// logged as a warning rather than refused, because the listener answers the clients it
// cannot serve with the busy reply (421 / -ERR) and logs it, so nobody hangs.
#pragma once

#include "common/config/config.h"

#include <cstddef>


namespace mail {


std::size_t descriptorsNeeded(const ServerConfig& server);
/// One per session on every configured port (plus the listener's busy-reply threads),
/// two per relay worker (a connection and a queue file), and a reserve for the listening
/// sockets, logging, DNS and Maildir files.

std::size_t raiseDescriptorLimit();
/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.


} // namespace mail
