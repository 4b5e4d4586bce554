// icmp_packet.cpp - ICMPv4 echo request building and reply parsing (pure).
#include "agent/icmp/icmp_packet.h"


namespace mail {


namespace {


constexpr std::size_t Ipv4MinHeader = 20;
constexpr std::uint8_t IpProtocolIcmp = 1;


std::uint16_t get16(const std::uint8_t* p)
{
	return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}


std::uint32_t get32(const std::uint8_t* p)
{
	return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}


void put16(std::uint8_t* p, std::uint16_t value)
{
	p[0] = static_cast<std::uint8_t>(value >> 8);
	p[1] = static_cast<std::uint8_t>(value & 0xff);
}


/// Length of a well-formed IPv4 header carrying ICMP at data, or 0.
std::size_t ipv4HeaderLength(const std::uint8_t* data, std::size_t length)
{
	if (length < Ipv4MinHeader || (data[0] >> 4) != 4) return 0;
	std::size_t ihl = std::size_t(data[0] & 0x0f) * 4;
	if (ihl < Ipv4MinHeader || ihl > length) return 0;
	return ihl;
}


IcmpKind kindOf(std::uint8_t type)
{
	switch (type)
	{
	case IcmpTypeEchoReply: return IcmpKind::EchoReply;
	case IcmpTypeEchoRequest: return IcmpKind::EchoRequest;
	case IcmpTypeDestUnreachable: return IcmpKind::DestUnreachable;
	case IcmpTypeTimeExceeded: return IcmpKind::TimeExceeded;
	default: return IcmpKind::Other;
	}
}


/// Errors carry the original IP header and the first 8 bytes of its payload.
void parseEmbedded(const std::uint8_t* data, std::size_t length, IcmpMessage& message)
{
	std::size_t ihl = ipv4HeaderLength(data, length);
	if (ihl == 0 || data[9] != IpProtocolIcmp) return;
	message.originalDestination = get32(data + 16);
	if (length < ihl + IcmpHeaderSize) return;
	const std::uint8_t* inner = data + ihl;
	if (inner[0] != IcmpTypeEchoRequest) return;
	message.id = get16(inner + 4);
	message.sequence = get16(inner + 6);
	message.hasEcho = true;
}


} // namespace


const char* toString(IcmpKind kind)
{
	switch (kind)
	{
	case IcmpKind::EchoReply: return "echo-reply";
	case IcmpKind::EchoRequest: return "echo-request";
	case IcmpKind::DestUnreachable: return "destination-unreachable";
	case IcmpKind::TimeExceeded: return "time-exceeded";
	case IcmpKind::Other: break;
	}
	return "other";
}


bool IcmpMessage::answers(std::uint16_t echoId, std::uint16_t echoSequence, bool checkId) const
{
	bool relevant = kind == IcmpKind::EchoReply || kind == IcmpKind::TimeExceeded
		|| kind == IcmpKind::DestUnreachable;
	return relevant && hasEcho && sequence == echoSequence && (!checkId || id == echoId);
}


std::uint16_t internetChecksum(const std::uint8_t* data, std::size_t length)
{
	std::uint32_t sum = 0;
	std::size_t i = 0;
	for (; i + 1 < length; i += 2) sum += get16(data + i);
	if (i < length) sum += std::uint32_t(data[i]) << 8;
	while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
	return static_cast<std::uint16_t>(~sum & 0xffff);
}


std::vector<std::uint8_t> buildEchoRequest(std::uint16_t id, std::uint16_t sequence, std::size_t payloadSize)
{
	std::vector<std::uint8_t> packet(IcmpHeaderSize + payloadSize, 0);
	packet[0] = IcmpTypeEchoRequest;
	packet[1] = 0;
	put16(&packet[4], id);
	put16(&packet[6], sequence);
	for (std::size_t i = 0; i < payloadSize; ++i)
		packet[IcmpHeaderSize + i] = static_cast<std::uint8_t>(0x10 + i);
	put16(&packet[2], internetChecksum(packet.data(), packet.size()));
	return packet;
}


std::optional<IcmpMessage> parseIcmp(const std::uint8_t* data, std::size_t length, bool withIpHeader)
{
	IcmpMessage message;
	if (withIpHeader)
	{
		std::size_t ihl = ipv4HeaderLength(data, length);
		if (ihl == 0 || data[9] != IpProtocolIcmp) return std::nullopt;
		message.ttl = data[8];
		message.source = get32(data + 12);
		data += ihl;
		length -= ihl;
	}
	if (length < IcmpHeaderSize || internetChecksum(data, length) != 0) return std::nullopt;
	message.icmpLength = length;
	message.type = data[0];
	message.code = data[1];
	message.kind = kindOf(message.type);
	switch (message.kind)
	{
	case IcmpKind::EchoReply:
	case IcmpKind::EchoRequest:
		message.id = get16(data + 4);
		message.sequence = get16(data + 6);
		message.hasEcho = true;
		break;
	case IcmpKind::DestUnreachable:
	case IcmpKind::TimeExceeded:
		parseEmbedded(data + IcmpHeaderSize, length - IcmpHeaderSize, message);
		break;
	case IcmpKind::Other:
		break;
	}
	return message;
}


std::string describeIcmpError(std::uint8_t type, std::uint8_t code)
{
	if (type == IcmpTypeTimeExceeded)
		return code == 0 ? "Time to live exceeded" : "Fragment reassembly time exceeded";
	if (type == IcmpTypeDestUnreachable)
	{
		static const char* const codes[] = {"Destination net unreachable",
			"Destination host unreachable", "Destination protocol unreachable",
			"Destination port unreachable", "Fragmentation needed", "Source route failed",
			"Destination net unknown", "Destination host unknown"};
		if (code < sizeof(codes) / sizeof(codes[0])) return codes[code];
		if (code == 13) return "Communication administratively prohibited";
		return "Destination unreachable (code " + std::to_string(code) + ")";
	}
	return "ICMP type " + std::to_string(type) + " code " + std::to_string(code);
}


} // namespace mail
