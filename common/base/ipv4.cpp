// ipv4.cpp - an IPv4 address held as a number (host byte order) written as text.
#include "common/base/ipv4.h"

#include <cstdio>


namespace mail {


std::string formatIpv4(std::uint32_t address)
{
	char buf[16];
	std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", (address >> 24) & 0xffu, (address >> 16) & 0xffu,
		(address >> 8) & 0xffu, address & 0xffu);
	return buf;
}


} // namespace mail
