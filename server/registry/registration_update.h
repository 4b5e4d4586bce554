// registration_update.h - the RFC 2136 UPDATE that publishes (or withdraws) one provider.
//
// What a provider registers for each of its domains D, all under dns.register.zone:
//   D MX 10 HOST                       where HOST is mail.<first domain>
//   HOST A <server address>            (127.0.0.1 for a server bound to 0.0.0.0)
//   HOST TYPE65280 <smtp port>         the P record the relay reads
//   _submission._tcp.D, _submissions._tcp.D, _pop3._tcp.D, _pop3s._tcp.D SRV 0 1 PORT HOST
//                                      for each port the server listens on (RFC 6186/8314)
// Each RRset is deleted before it is added, so the update replaces what was there.
// Withdrawal deletes the same RRsets.
#pragma once

#include "common/config/config.h"
#include "common/dns/dns_message.h"

#include <string>
#include <vector>


namespace mail {


std::string registeredHost(const ServerConfig& server);
/// The host name the provider registers its ports and address under: mail.<first domain>.

std::vector<std::string> namesOutsideZone(const ServerConfig& server);
/// Registered names not under dns.register.zone (none in a good configuration).

dns::Message registrationUpdate(const ServerConfig& server, std::uint16_t id, bool withdraw);
/// The UPDATE of the records above (withdraw: their deletion), unsigned.


} // namespace mail
