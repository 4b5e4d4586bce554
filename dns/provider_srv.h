// provider_srv.h - RFC 6186/8314 SRV records generated for every provider of the topology.
//
// A mail client that knows only an address (alice@gmail.com) asks for
// `_submission._tcp.gmail.com`, `_pop3._tcp.gmail.com` and their TLS siblings. mail-dns
// answers them for every server of its configuration without a line in the zone file:
// the target is the agent: entry's smtp/pop host of the domain (the names the agent
// already uses), else the domain's first MX host; the port is the server's. A name the
// zone file lists under SRV: keeps the file's records.
#pragma once

#include "common/config/config.h"
#include "common/config/zone.h"


namespace mail {
namespace dns {


Zone withProviderSrv(Zone zone, const Config& config);
/// zone plus the generated SRV records (zone's own SRV names win).


} // namespace dns
} // namespace mail
