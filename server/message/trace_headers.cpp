// trace_headers.cpp - the Received: header prepended to an accepted message.
#include "server/message/trace_headers.h"

#include "common/mail/mail_date.h"


namespace mail {


namespace {


/// Printable ASCII only, bounded: HELO text goes into a header.
std::string clean(const std::string& text)
{
	constexpr std::size_t kMaxShown = 255;
	std::string out;
	for (char c: text)
	{
		if (out.size() >= kMaxShown) break;
		const unsigned char u = static_cast<unsigned char>(c);
		out += (u < 0x21 || u > 0x7e || c == '(' || c == ')') ? '?' : c;
	}
	return out.empty() ? "unknown" : out;
}


} // namespace


std::string traceHeaders(const TraceInfo& info)
{
	std::string out = "Received: from " + clean(info.helo) + " ([" + info.peerAddress + "])\r\n";
	// As Postfix: the TLS version and cipher as a comment between "from" and "by".
	if (!info.tls.empty()) out += "\t(using " + info.tls + ")\r\n";
	out += "\tby " + info.byHost + " (mail-server) with " + info.protocol + " id " + info.id;
	// RFC 5321 4.4: the date always follows a ";", with or without the "for" clause
	// (Postfix ends the "by" line with it when there is no single recipient).
	if (info.forRecipient.empty()) out += ";\r\n\t";
	else out += "\r\n\tfor " + info.forRecipient + "; ";
	out += rfc5322Date(info.when) + "\r\n";
	return out;
}


} // namespace mail
