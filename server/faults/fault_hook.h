// fault_hook.h - what the SMTP, POP3 and IMAP sessions share when a fault rule fires.
//
// The sessions decide what a hit means in their protocol (a reply, a close); these do the
// rest the same way for both: evaluate and log, wait out a delay, hold a stalled session.
#pragma once

#include "server/faults/fault_rules.h"
#include "server/mail/mail_events.h"
#include "server/net/session_io.h"
#include "server/server_context.h"

#include <Poco/Logger.h>

#include <atomic>
#include <optional>
#include <string>


namespace mail {


std::optional<FaultHit> fireFault(FaultRules& rules, const FaultQuery& query, SessionIo& io,
	const std::atomic<bool>& stopping, Poco::Logger& log, MailEvents& events);
/// Evaluates the rules; a hit is logged as one line (stage, rule, action, session) and
/// recorded as a `fault.fired` event (docs/api.md). A
/// delay is done here: what earlier commands were promised is sent, then it waits
/// (returning within a tenth of a second of shutdown) and returns nothing, so the session
/// proceeds. Any other hit (reply, drop, stall) is the session's to act on.

std::optional<FaultHit> fireMailboxFault(const ServerContext& context, FaultStage stage, const std::string& client,
	const std::string& user, SessionIo& io, Poco::Logger& log);
/// fireFault with the context's rules, shutdown flag and events, for a mailbox session
/// (POP3, IMAP) at login (pass) or a message read (retr): the query is the client's
/// address with the user as its one recipient, as `faults:` rules match a POP3 USER.

enum class StallEnd
{
	ClientLeft,  ///< the client closed (also at shutdown: the listener shuts the socket)
	TimedOut,    ///< the idle timeout passed, counted from the stall
	LifetimeUsed ///< limits.max_session_time came first
};

StallEnd holdStalled(SessionIo& io, Seconds idleTimeout, Seconds maxSessionTime);
/// A `stall` fault: sends what earlier commands were promised, then answers nothing and
/// discards input until the client goes away or the session's time is up.


} // namespace mail
