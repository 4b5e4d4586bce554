// responder.h - answers one query datagram from a ZoneIndex into a caller's buffer.
//
// Pure and allocation-free: the daemon's workers call it per datagram, the unit tests
// and the fuzzer call it directly. Behaviour (SPEC.md "Pseudo-DNS wire behaviour"):
//   - no reply (0) for fewer than 12 octets or a datagram with QR set (never answer answers);
//   - NOTIMP for an opcode other than QUERY; FORMERR for QDCOUNT != 1, a bad name, a
//     truncated or otherwise malformed question or record, or two OPT records;
//   - REFUSED for a class other than IN or ANY (like NSD for CHAOS);
//   - NXDOMAIN for an unknown name, NOERROR without answers for a known name without
//     the type (a name is known if it has any record);
//   - type ANY is answered with every record of the name (MX, A, P);
//   - replies set QR and AA, copy ID, opcode and RD, echo the question in its case, and
//     point answer owner names at it (0xC00C);
//   - EDNS(0): an OPT in the query gets an OPT (payload EdnsUdpSize) in the reply and
//     BADVERS for a version other than 0; replies stay within 512 octets without EDNS
//     and within the client's size (at most EdnsUdpSize) with it; answers that do not
//     fit are dropped whole (never part of an RRset) and TC is set, so the client asks
//     again over TCP, where a reply may fill the caller's whole capacity.
#pragma once

#include "dns/zone_index.h"

#include <cstddef>
#include <cstdint>


namespace mail {
namespace dns {


const std::size_t MaxReplySize = EdnsUdpSize; ///< a reply buffer of this size always suffices


std::size_t answerQuery(const ZoneIndex& zone, const std::uint8_t* query, std::size_t size,
	std::uint8_t* reply, std::size_t capacity, bool overTcp = false);
/// Writes the reply for query into reply and returns its length; 0: send nothing.
/// capacity must be at least MaxReplySize; over TCP it is the only size limit.

std::size_t errorReply(const std::uint8_t* query, std::size_t size, Rcode rcode, std::uint8_t* reply);
/// A header-only reply with rcode (ID, opcode and RD copied); 0 when size < 12 or QR is set.
/// reply needs HeaderSize octets.


} // namespace dns
} // namespace mail
