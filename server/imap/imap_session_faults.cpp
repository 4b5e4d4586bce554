// imap_session_faults.cpp - what an IMAP session does when a `faults:` rule fires at login
// (stage pass) or at a FETCH of a message body (stage retr), as POP3 does at PASS and RETR.
#include "server/imap/imap_session.h"

#include "server/faults/fault_hook.h"


namespace mail {


bool ImapSession::applyFault(FaultStage stage, const std::string& tag, const std::string& user)
{
	const std::optional<FaultHit> hit = fireMailboxFault(_context, stage, _peer, user, _io, _log);
	if (!hit) return false;
	if (hit->action == FaultAction::Reply)
	{
		// 4xx is temporary: IMAP says so with [UNAVAILABLE]; 5xx is a plain NO.
		++_errors;
		no(tag, (hit->code < 500 ? "[UNAVAILABLE] " : "") + hit->text);
	}
	else if (hit->action == FaultAction::Drop)
	{
		_io.flush();
		closeWith("fault");
	}
	else
	{
		switch (holdStalled(_io, _limits.imapTimeout, _limits.maxSessionTime))
		{
		case StallEnd::ClientLeft: closeWith("lost"); break;
		case StallEnd::TimedOut: closeTimedOut(); break;
		case StallEnd::LifetimeUsed: closeBye("session time limit exceeded, closing connection", "lifetime"); break;
		}
	}
	return true;
}


} // namespace mail
