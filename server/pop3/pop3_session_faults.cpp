// pop3_session_faults.cpp - what a POP3 session does when a `faults:` rule fires at USER, PASS or RETR.
#include "server/pop3/pop3_session.h"

#include "server/faults/fault_hook.h"


namespace mail {


namespace {


std::string withoutEnhancedCode(const std::string& text)
/// "4.7.1 Try later" -> "Try later": POP3 has no enhanced status codes.
{
	const std::size_t space = text.find(' ');
	const std::string first = text.substr(0, space);
	const bool enhanced = first.size() >= 5 && std::isdigit(static_cast<unsigned char>(first[0])) && first[1] == '.'
		&& first.find_first_not_of("0123456789.") == std::string::npos;
	return enhanced && space != std::string::npos ? text.substr(space + 1) : text;
}


} // namespace


bool Pop3Session::applyFault(FaultStage stage, const std::string& user)
{
	const std::optional<FaultHit> hit = fireMailboxFault(_context, stage, _peer, user, _io, _log);
	if (!hit) return false;
	if (hit->action == FaultAction::Reply)
	{
		// 4xx is temporary: RFC 3206's [SYS/TEMP] says so to the client. It counts as an error.
		protocolError((hit->code < 500 ? "[SYS/TEMP] " : "") + withoutEnhancedCode(hit->text));
	}
	else if (hit->action == FaultAction::Drop)
	{
		_io.flush();
		closeWith("fault");
	}
	else
	{
		switch (holdStalled(_io, _limits.popTimeout, _limits.maxSessionTime))
		{
		case StallEnd::ClientLeft: closeLost(); break;
		case StallEnd::TimedOut: closeTimedOut(); break;
		case StallEnd::LifetimeUsed: closeLifetimeUsed(); break;
		}
	}
	return true;
}


} // namespace mail
