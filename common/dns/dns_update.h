// dns_update.h - RFC 2136 UPDATE messages and the RDATA of the records mail-dns serves.
//
// An UPDATE reuses the query layout: the zone section is the question (zone name, SOA,
// IN), prerequisites are the answers, updates the authority records (RFC 2136 2.2). Class
// IN adds a record, ANY with no RDATA deletes an RRset (type ANY: every RRset of the
// name), NONE deletes one record.
#pragma once

#include "common/dns/dns_message.h"

#include <cstdint>
#include <string>
#include <vector>


namespace mail {
namespace dns {


std::vector<std::uint8_t> rdataA(std::uint32_t address); ///< host byte order in
std::vector<std::uint8_t> rdataMx(std::uint16_t preference, const std::string& exchange);
std::vector<std::uint8_t> rdataPort(std::uint16_t port); ///< the P record (TYPE65280)
std::vector<std::uint8_t> rdataSrv(std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
	const std::string& target); ///< RFC 2782, the target uncompressed
/// Each throws WireFormatError for a name that cannot be encoded.

Message updateMessage(std::uint16_t id, const std::string& zone);
/// An UPDATE for zone with no prerequisites or updates yet.

ResourceRecord addRecord(const std::string& name, std::uint16_t type, std::uint32_t ttl, std::vector<std::uint8_t> rdata);
ResourceRecord deleteRrset(const std::string& name, std::uint16_t type); ///< TypeAny: every RRset of name
ResourceRecord deleteRecord(const std::string& name, std::uint16_t type, std::vector<std::uint8_t> rdata);


} // namespace dns
} // namespace mail
