// dns_update.cpp - RFC 2136 UPDATE messages and record RDATA.
#include "common/dns/dns_update.h"


namespace mail {
namespace dns {


namespace {


void put16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
	out.push_back(static_cast<std::uint8_t>(v >> 8));
	out.push_back(static_cast<std::uint8_t>(v));
}


void putName(std::vector<std::uint8_t>& out, const std::string& name)
{
	WireName wire;
	if (!encodeName(name, wire)) throw WireFormatError(WireError::NameTooLong, 0);
	out.insert(out.end(), wire.bytes, wire.bytes + wire.length);
}


} // namespace


std::vector<std::uint8_t> rdataA(std::uint32_t address)
{
	std::vector<std::uint8_t> out;
	put16(out, static_cast<std::uint16_t>(address >> 16));
	put16(out, static_cast<std::uint16_t>(address));
	return out;
}


std::vector<std::uint8_t> rdataMx(std::uint16_t preference, const std::string& exchange)
{
	std::vector<std::uint8_t> out;
	put16(out, preference);
	putName(out, exchange);
	return out;
}


std::vector<std::uint8_t> rdataPort(std::uint16_t port)
{
	std::vector<std::uint8_t> out;
	put16(out, port);
	return out;
}


std::vector<std::uint8_t> rdataSrv(std::uint16_t priority, std::uint16_t weight, std::uint16_t port, const std::string& target)
{
	std::vector<std::uint8_t> out;
	put16(out, priority);
	put16(out, weight);
	put16(out, port);
	putName(out, target);
	return out;
}


Message updateMessage(std::uint16_t id, const std::string& zone)
{
	Message message;
	message.header.id = id;
	message.header.flags = static_cast<std::uint16_t>(OpcodeUpdate << 11);
	message.questions.push_back(Question{zone, TypeSoa, ClassIn});
	return message;
}


ResourceRecord addRecord(const std::string& name, std::uint16_t type, std::uint32_t ttl, std::vector<std::uint8_t> rdata)
{
	return ResourceRecord{name, type, ClassIn, ttl, std::move(rdata)};
}


ResourceRecord deleteRrset(const std::string& name, std::uint16_t type)
{
	return ResourceRecord{name, type, ClassAny, 0, {}};
}


ResourceRecord deleteRecord(const std::string& name, std::uint16_t type, std::vector<std::uint8_t> rdata)
{
	return ResourceRecord{name, type, ClassNone, 0, std::move(rdata)};
}


} // namespace dns
} // namespace mail
