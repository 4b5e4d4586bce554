// mail_services.h - the services a mail client looks up by SRV (RFC 6186, RFC 8314), and
// which port of a server offers each.
//
// One table for both places that publish them: mail-dns's records generated for every
// provider (dns/provider_srv) and a provider's own registration (server/registry). A
// service whose port is 0 on a server (no imap: key, say) is not published for it.
#pragma once

#include "common/config/config.h"

#include <cstdint>


namespace mail {


struct MailService
{
	const char* label;                 ///< the SRV owner name's prefix, "_submission._tcp."
	std::uint16_t ServerConfig::*port; ///< the server's port for it; 0 there: not offered
	bool reading;                      ///< a mailbox access service (POP3, IMAP), not submission
};


const MailService kMailServices[] = {
	{"_submission._tcp.", &ServerConfig::smtp, false},
	{"_submissions._tcp.", &ServerConfig::smtps, false},
	{"_imap._tcp.", &ServerConfig::imap, true},
	{"_imaps._tcp.", &ServerConfig::imaps, true},
	{"_pop3._tcp.", &ServerConfig::pop, true},
	{"_pop3s._tcp.", &ServerConfig::pops, true},
};


} // namespace mail
