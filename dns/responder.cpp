// responder.cpp - answers one query datagram from a ZoneIndex into a caller's buffer.
#include "dns/responder.h"

#include <algorithm>
#include <cstring>


namespace mail {
namespace dns {


namespace {


const std::uint16_t OpcodeMask = 0x7800;
const std::uint8_t ExtendedBadVers = 1; ///< upper 8 bits of the 12-bit rcode 16 (RFC 6891)
const std::size_t OptSize = 11;         ///< root name, type, class, TTL, RDLENGTH 0


void put16(std::uint8_t* p, std::uint16_t v)
{
	p[0] = static_cast<std::uint8_t>(v >> 8);
	p[1] = static_cast<std::uint8_t>(v);
}


void writeHeader(std::uint8_t* reply, std::uint16_t id, std::uint16_t flags,
	std::uint16_t qd, std::uint16_t an, std::uint16_t ar)
{
	put16(reply, id);
	put16(reply + 2, flags);
	put16(reply + 4, qd);
	put16(reply + 6, an);
	put16(reply + 8, 0);
	put16(reply + 10, ar);
}


std::size_t writeOpt(std::uint8_t* p, std::uint8_t extendedRcode)
{
	p[0] = 0;
	put16(p + 1, TypeOpt);
	put16(p + 3, static_cast<std::uint16_t>(EdnsUdpSize));
	p[5] = extendedRcode;
	p[6] = 0; // version 0
	put16(p + 7, 0);
	put16(p + 9, 0);
	return OptSize;
}


struct Edns
{
	bool present = false;
	std::uint16_t payload = 0;
	std::uint8_t version = 0;
};


bool readAdditional(WireReader& reader, const Header& header, Edns& edns)
/// Skips answer and authority records, then finds an OPT among the additional ones.
{
	std::uint16_t type = 0, klass = 0, rdLength = 0;
	std::uint32_t ttl = 0;
	for (unsigned i = 0; i < unsigned(header.anCount) + header.nsCount; ++i)
		if (!reader.skipRecord(type, klass, ttl, rdLength)) return false;
	for (unsigned i = 0; i < header.arCount; ++i)
	{
		WireName owner;
		if (!reader.name(owner) || !reader.u16(type) || !reader.u16(klass) || !reader.u32(ttl)
			|| !reader.u16(rdLength) || !reader.skip(rdLength))
			return false;
		if (type != TypeOpt) continue;
		if (edns.present || owner.length != 1) return false; // RFC 6891 6.1.1: one OPT, root owner
		edns.present = true;
		edns.payload = klass;
		edns.version = static_cast<std::uint8_t>(ttl >> 16);
	}
	return true;
}


} // namespace


std::size_t errorReply(const std::uint8_t* query, std::size_t size, Rcode rcode, std::uint8_t* reply)
{
	if (size < HeaderSize || (query[2] & 0x80)) return 0;
	const std::uint16_t flags = static_cast<std::uint16_t>((query[2] << 8) | query[3]);
	const std::uint16_t id = static_cast<std::uint16_t>((query[0] << 8) | query[1]);
	writeHeader(reply, id, static_cast<std::uint16_t>(FlagQr | (flags & (OpcodeMask | FlagRd)) | rcode), 0, 0, 0);
	return HeaderSize;
}


std::size_t answerQuery(const ZoneIndex& zone, const std::uint8_t* query, std::size_t size,
	std::uint8_t* reply, std::size_t capacity, bool overTcp)
{
	if (size < HeaderSize || (query[2] & 0x80) || capacity < MaxReplySize) return 0;
	WireReader reader(query, size);
	Header header;
	reader.header(header);
	if (header.opcode() != 0) return errorReply(query, size, RcodeNotImp, reply);
	if (header.qdCount != 1) return errorReply(query, size, RcodeFormErr, reply);

	WireName name;
	std::uint16_t type = 0, klass = 0;
	Edns edns;
	if (!reader.name(name) || !reader.u16(type) || !reader.u16(klass) || !readAdditional(reader, header, edns))
		return errorReply(query, size, RcodeFormErr, reply);

	// Echo the question as asked (case preserved, decompressed) right after the header.
	std::size_t length = HeaderSize;
	std::memcpy(reply + length, name.bytes, name.length);
	length += name.length;
	put16(reply + length, type);
	put16(reply + length + 2, klass);
	length += 4;

	std::uint16_t flags = static_cast<std::uint16_t>(FlagQr | FlagAa | (header.flags & FlagRd));
	const Answer* answer = nullptr;
	std::uint8_t extendedRcode = 0;
	if (edns.present && edns.version != 0)
		extendedRcode = ExtendedBadVers;
	else if (klass != ClassIn && klass != ClassAny)
		flags = static_cast<std::uint16_t>((flags & ~FlagAa) | RcodeRefused);
	else
	{
		name.toLower();
		const NameEntry* entry = zone.find(std::string_view(reinterpret_cast<const char*>(name.bytes), name.length));
		if (entry == nullptr)
			flags |= RcodeNxDomain;
		else
			answer = zone.find(*entry, type);
	}

	const std::size_t limit = overTcp ? capacity
		: edns.present                ? std::min<std::size_t>(std::max<std::size_t>(edns.payload, MaxUdpSize), EdnsUdpSize)
									  : MaxUdpSize;
	const std::size_t optSize = edns.present ? OptSize : 0;
	std::uint16_t anCount = 0;
	if (answer != nullptr && answer->count > 0)
	{
		if (length + answer->bytes.size() + optSize <= limit)
		{
			std::memcpy(reply + length, answer->bytes.data(), answer->bytes.size());
			length += answer->bytes.size();
			anCount = answer->count;
		}
		else
			flags |= FlagTc;
	}
	if (edns.present) length += writeOpt(reply + length, extendedRcode);
	writeHeader(reply, header.id, flags, 1, anCount, edns.present ? 1 : 0);
	return length;
}


} // namespace dns
} // namespace mail
