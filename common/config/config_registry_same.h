// config_registry_same.h - whether two readings of dns.register or dns.updates say the same.
//
// Both are read once at start (mail-server's registrar, mail-dns's UPDATE handler); a
// reload compares the file's new sections with the running ones to say that a change
// needs a restart.
#pragma once

#include "common/config/config_registry.h"

#include <vector>


namespace mail {


bool sameRegistration(const DnsRegisterConfig& a, const DnsRegisterConfig& b);
/// Every key of dns.register (its absence too), the key secret included.

bool sameUpdates(const std::vector<DnsUpdateZone>& a, const std::vector<DnsUpdateZone>& b);
/// The same zones in the same order, each with the same keys.


} // namespace mail
