// ipv4.h - an IPv4 address held as a number (host byte order) written as text.
#pragma once

#include <cstdint>
#include <string>


namespace mail {


std::string formatIpv4(std::uint32_t address);
/// Host byte order -> "a.b.c.d" (the relay's exchangers, resolveAddress(), ping and trace).


} // namespace mail
