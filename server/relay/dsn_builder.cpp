// dsn_builder.cpp - multipart/report delivery status notifications (RFC 3464).
#include "server/relay/dsn_builder.h"

#include "common/mail/mail_date.h"

#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <sstream>


namespace mail {


namespace {


const char* const kCrlf = "\r\n";


std::string diagnosticCode(const QueuedRecipient& r)
/// RFC 3464 2.3.6: "smtp; <reply>" for a remote reply, "X-mail; <text>" for our own error.
{
	return (r.remoteMta.empty() ? "X-mail; " : "smtp; ") + r.diagnostic;
}


std::string explanation(const QueuedRecipient& r)
{
	if (r.remoteMta.empty()) return "<" + r.address + ">: " + r.diagnostic;
	return "<" + r.address + ">: host " + r.remoteMta + " said: " + r.diagnostic;
}


std::string headerDate(std::int64_t unixSeconds)
{
	return rfc5322Date(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(unixSeconds)));
}


} // namespace


std::string buildDsn(const DsnReport& report, const std::string& originalHeader, std::int64_t now)
{
	const std::string boundary = "=_dsn_" + report.queueId + "_" + std::to_string(now);
	const std::string from = "MAILER-DAEMON@" + report.fromDomain;
	std::ostringstream m;
	m << "From: Mail Delivery System <" << from << ">" << kCrlf
	  << "To: <" << report.sender << ">" << kCrlf
	  << "Subject: Undelivered Mail Returned to Sender" << kCrlf
	  << "Date: " << headerDate(now) << kCrlf
	  << "Message-ID: <" << report.queueId << "." << now << ".dsn@" << report.reportingMta << ">" << kCrlf
	  << "Auto-Submitted: auto-replied" << kCrlf
	  << "MIME-Version: 1.0" << kCrlf
	  << "Content-Type: multipart/report; report-type=delivery-status;" << kCrlf
	  << "\tboundary=\"" << boundary << "\"" << kCrlf
	  << kCrlf
	  << "This is a MIME-encapsulated message." << kCrlf
	  << kCrlf;

	m << "--" << boundary << kCrlf
	  << "Content-Description: Notification" << kCrlf
	  << "Content-Type: text/plain; charset=us-ascii" << kCrlf
	  << kCrlf
	  << "This is the mail system at host " << report.reportingMta << "." << kCrlf
	  << kCrlf
	  << "I'm sorry to have to inform you that your message could not" << kCrlf
	  << "be delivered to one or more recipients. It's attached below." << kCrlf
	  << kCrlf;
	for (const auto& r: report.recipients) m << explanation(r) << kCrlf;
	m << kCrlf;

	m << "--" << boundary << kCrlf
	  << "Content-Description: Delivery report" << kCrlf
	  << "Content-Type: message/delivery-status" << kCrlf
	  << kCrlf
	  << "Reporting-MTA: dns; " << report.reportingMta << kCrlf
	  << "X-Queue-ID: " << report.queueId << kCrlf
	  << "Arrival-Date: " << headerDate(report.arrival) << kCrlf;
	for (const auto& r: report.recipients)
	{
		m << kCrlf
		  << "Final-Recipient: rfc822; " << r.address << kCrlf
		  << "Action: failed" << kCrlf
		  << "Status: " << r.status << kCrlf;
		if (!r.remoteMta.empty()) m << "Remote-MTA: dns; " << r.remoteMta << kCrlf;
		m << "Diagnostic-Code: " << diagnosticCode(r) << kCrlf;
	}
	m << kCrlf;

	m << "--" << boundary << kCrlf
	  << "Content-Description: Undelivered Message Headers" << kCrlf
	  << "Content-Type: text/rfc822-headers" << kCrlf
	  << kCrlf
	  << headerSection(originalHeader)
	  << kCrlf
	  << "--" << boundary << "--" << kCrlf;
	return m.str();
}


} // namespace mail
