// dsn_builder.h - RFC 3464 delivery status notifications.
#pragma once

#include "server/message/message_headers.h"
#include "server/store/queue/relay_queue.h"

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


struct DsnReport
{
	std::string reportingMta;                ///< this server's name
	std::string queueId;                     ///< the original message's queue id
	std::string sender;                      ///< the original envelope sender: the DSN goes to it
	std::string fromDomain;                  ///< From: MAILER-DAEMON@fromDomain
	std::int64_t arrival = 0;                ///< unix seconds the original was queued
	std::vector<QueuedRecipient> recipients; ///< the failed ones (status, remoteMta, diagnostic)
};


std::string buildDsn(const DsnReport& report, const std::string& originalHeader, std::int64_t now);
/// A complete message (CRLF) of type multipart/report; report-type=delivery-status: a
/// readable explanation, message/delivery-status (Reporting-MTA, Arrival-Date, per
/// recipient Final-Recipient, Action: failed, Status, Remote-MTA, Diagnostic-Code) and
/// text/rfc822-headers with the original's header (headers only, as RFC 3462 allows:
/// RelayMessage::kMaxHeader octets at most, never the body).


} // namespace mail
