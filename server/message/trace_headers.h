// trace_headers.h - the Received: header prepended to an accepted message.
#pragma once

#include <Poco/Timestamp.h>

#include <string>


namespace mail {


struct TraceInfo
{
	std::string helo;         ///< what the client said in HELO/EHLO
	std::string peerAddress;  ///< client IP
	std::string byHost;       ///< this server's name
	std::string protocol;     ///< "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA" or "SMTP" (RFC 3848)
	std::string id;           ///< the message id in our logs
	std::string forRecipient; ///< "<x@y>" when there is exactly one recipient, else empty
	Poco::Timestamp when;
	std::string tls; ///< "TLSv1.3 with cipher ... (256/256 bits)" over TLS, else empty
};


std::string traceHeaders(const TraceInfo& info);
/// "Received: from helo ([ip])\r\n\tby host (mail-server) with ESMTP id ID\r\n\tfor
/// <x@y>; Sun, 22 Nov 2026 10:00:00 +0000\r\n"; without a single recipient the "by" line
/// ends in ";" and the date follows on its own line. Client-supplied text is cleaned of
/// control characters so it cannot add header lines. Return-Path: is not a trace
/// header we add here: only final delivery writes it (Delivery::deliver).


} // namespace mail
