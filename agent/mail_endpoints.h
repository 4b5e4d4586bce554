// mail_endpoints.h - where a user's SMTP, POP3 and IMAP servers are (agent: + mail-dns).
#pragma once

#include "common/config/config.h"

#include <cstdint>
#include <stdexcept>
#include <string>


namespace mail {


class EndpointError: public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};


struct Endpoint
{
	std::string host;    ///< the name asked for (for messages)
	std::string address; ///< dotted IPv4
	std::uint16_t port = 0;

	std::string toString() const; ///< "host (address:port)"
};


Endpoint findEndpoint(const Config& config, const std::string& email, const std::string& hostOverride, bool smtp);
/// hostOverride (-s/-P) or the agent: entry for the email's domain; a "HOST:PORT"
/// override is used as is (HOST resolved like ping's HOST), otherwise the port comes
/// from a P query and the address from resolveAddress(). Throws EndpointError.

Endpoint findImapEndpoint(const Config& config, const std::string& email, const std::string& hostOverride, bool implicitTls);
/// hostOverride (-I) as findEndpoint takes -P; otherwise what a mail client does with
/// only an address (RFC 6186): the SRV record `_imap._tcp.DOMAIN` (`_imaps._tcp.DOMAIN`
/// for implicit TLS) from mail-dns, which generates them for every provider with imap:
/// or imaps: ports. Throws EndpointError.


} // namespace mail
