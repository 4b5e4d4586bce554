// smtp_session_faults.cpp - what an SMTP session does when a `faults:` rule fires at a stage.
#include "server/smtp/smtp_session.h"

#include "server/faults/fault_hook.h"


namespace mail {


bool SmtpSession::applyFault(FaultStage stage)
{
	FaultQuery query;
	query.stage = stage;
	query.client = _peer;
	// MAIL and RCPT are asked while their check runs: the address is still in _args.
	if (stage == FaultStage::Mail) query.sender = _args.address.address();
	else if (_tx) query.sender = _tx->sender.address();
	if (stage == FaultStage::Rcpt) query.recipients = {_args.address.address()};
	else if (_tx) query.recipients = _tx->envelope.addresses();
	const std::optional<FaultHit> hit = fireFault(*_context.faults, query, _io, _context.stopping, _log, *_context.events);
	if (!hit) return false;
	switch (hit->action)
	{
	case FaultAction::Reply:
		// A refusal like any other: it counts towards soft_errors and hard_errors.
		reply(hit->code, hit->text);
		if (stage == FaultStage::Connect || stage == FaultStage::Greeting) closeWith("fault");
		break;
	case FaultAction::Drop:
		_io.flush(); // what earlier commands were promised, then not a word
		closeWith("fault");
		break;
	default: // stall (a delay was waited out by fireFault)
	{
		const StallEnd end = holdStalled(_io, _limits.commandTimeout, _limits.maxSessionTime);
		if (end == StallEnd::ClientLeft) closeLost();
		else if (end == StallEnd::TimedOut) closeTimedOut();
		else closeLifetimeUsed();
	}
	}
	return true;
}


} // namespace mail
