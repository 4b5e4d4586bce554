// relay_bounce.cpp - recipients that fail for good, and the delivery status notification
// (RFC 3464) handed to delivery for the sender: into a Maildir, or queued for a remote sender.
#include "server/relay/relay_service.h"

#include "common/ops/log.h"
#include "common/mail/mail_address.h"
#include "server/mail/delivery.h"
#include "server/relay/dsn_builder.h"
#include "server/relay/relay_events.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

namespace mail {


void RelayService::failPending(QueueEnvelope& envelope, const MessageIds& ids, const std::string& status,
	const std::string& why)
{
	for (auto& r: envelope.recipients)
	{
		if (r.state != RecipientState::Pending) continue;
		r.state = RecipientState::Failed;
		r.status = status;
		r.diagnostic = why + (r.diagnostic.empty() ? "" : "; last error: " + r.diagnostic);
		r.remoteMta.clear();
		recordRecipient(*_context.events, ids, r, 0);
		_log.warning("%s relay bounced to=%s status=%s reason=%s", envelope.id, logPath(r.address), status, quoteForLog(why));
	}
}


void RelayService::bounce(QueueEnvelope& envelope, const MessageIds& ids, const std::string& header)
{
	DsnReport report;
	for (const auto& r: envelope.recipients)
	{
		if (r.state == RecipientState::Failed) report.recipients.push_back(r);
	}
	if (report.recipients.empty()) return;

	if (envelope.sender.empty())
	{
		// RFC 5321 6.1: never a bounce for a bounce.
		_log.warning("%s relay dsn-dropped reason=null-sender failed=%z", envelope.id, report.recipients.size());
	}
	else
	{
		const DeliveryRoute route = _delivery.route(envelope.sender);
		const std::string account = route.kind == DeliveryRoute::Kind::Local ? route.account : std::string();
		report.reportingMta = _context.server.name;
		report.queueId = envelope.id;
		report.sender = envelope.sender;
		report.fromDomain = !account.empty()   ? Poco::toLower(domainOf(account))
			: !_context.server.domains.empty() ? _context.server.domains.front()
											   : _context.server.name;
		report.arrival = envelope.arrival;
		// A null reverse-path: the sender's Maildir gets "Return-Path: <>", a queued bounce
		// goes out with MAIL FROM:<>.
		DeliveryResult sent;
		bool dropped = false;
		try
		{
			const std::string dsn = buildDsn(report, header, epochSeconds());
			sent = _delivery.deliver("", {envelope.sender}, dsn);
			recordDsn(*_context.events, ids, envelope.sender, dsn);
		}
		catch (const Poco::Exception& exc)
		{
			// Retried at the next attempt, but never past relay.expire: a report that cannot
			// be stored by then is dropped, so no message outlives its expiry.
			if (!_policy.expired(envelope.arrival, epochSeconds())) throw;
			_log.error("%s relay dsn-dropped reason=expired to=%s failed=%z error=%s", envelope.id, logPath(envelope.sender),
				report.recipients.size(), exc.displayText());
			dropped = true;
		}
		if (!dropped && !account.empty())
		{
			_log.information("%s relay dsn-delivered to=%s id=%s failed=%z", envelope.id, logPath(account), sent.id,
				report.recipients.size());
		}
		else if (!dropped)
		{
			_log.information("%s relay dsn-queued to=%s id=%s failed=%z", envelope.id, logPath(envelope.sender), sent.id,
				report.recipients.size());
		}
	}
	for (auto& r: envelope.recipients)
	{
		if (r.state == RecipientState::Failed) r.state = RecipientState::Bounced;
	}
	_queue.update(envelope);
}


} // namespace mail
