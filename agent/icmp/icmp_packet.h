// icmp_packet.h - ICMPv4 echo requests and the replies to them, as bytes (pure, no I/O).
//
// buildEchoRequest() makes an echo request with its checksum; parseIcmp() reads what a
// socket received (with or without the IPv4 header in front) into an IcmpMessage: an
// echo reply, or a time-exceeded / destination-unreachable error together with the id
// and sequence of the echo request embedded in it (RFC 792), so a reply can be matched
// to the probe that caused it.
#pragma once

#include "common/base/ipv4.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>


namespace mail {


enum class IcmpKind
{
	EchoReply,       ///< type 0
	EchoRequest,     ///< type 8 (a raw socket on lo also sees its own requests)
	DestUnreachable, ///< type 3
	TimeExceeded,    ///< type 11
	Other
};

const char* toString(IcmpKind kind);


struct IcmpMessage
{
	IcmpKind kind = IcmpKind::Other;
	std::uint8_t type = 0;
	std::uint8_t code = 0;
	std::uint16_t id = 0;                  ///< of the echo message (for errors: of the embedded request)
	std::uint16_t sequence = 0;            ///< likewise
	bool hasEcho = false;                  ///< id and sequence are known
	std::uint8_t ttl = 0;                  ///< TTL of the received datagram (0: unknown)
	std::uint32_t source = 0;              ///< sender, host byte order (0: unknown)
	std::uint32_t originalDestination = 0; ///< errors: destination of the embedded datagram
	std::size_t icmpLength = 0;            ///< bytes of ICMP message (header + data)

	bool answers(std::uint16_t echoId, std::uint16_t echoSequence, bool checkId = true) const;
	///< An echo reply or an error about our request with this id and sequence.
	///  checkId false: datagram ICMP sockets, where the kernel picks the id.
};


constexpr std::size_t IcmpHeaderSize = 8;
constexpr std::uint8_t IcmpTypeEchoReply = 0;
constexpr std::uint8_t IcmpTypeDestUnreachable = 3;
constexpr std::uint8_t IcmpTypeEchoRequest = 8;
constexpr std::uint8_t IcmpTypeTimeExceeded = 11;


std::uint16_t internetChecksum(const std::uint8_t* data, std::size_t length);
/// RFC 1071 one's-complement sum, returned in host order: a packet whose checksum
/// field holds this value (big-endian) sums to 0. An odd last byte is padded with 0.

std::vector<std::uint8_t> buildEchoRequest(std::uint16_t id, std::uint16_t sequence,
	std::size_t payloadSize);
/// Type 8 code 0, id and sequence big-endian, a payload of payloadSize bytes
/// (0x10, 0x11, ... like iputils), checksum filled in.

std::optional<IcmpMessage> parseIcmp(const std::uint8_t* data, std::size_t length, bool withIpHeader);
/// withIpHeader: data starts with an IPv4 header (raw socket); its TTL and source are
/// kept. Returns nothing for anything too short, not IPv4/ICMP, or with a bad checksum.

std::string describeIcmpError(std::uint8_t type, std::uint8_t code);
/// "Destination host unreachable", "Time to live exceeded", ... for messages.


} // namespace mail
