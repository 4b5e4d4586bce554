// dns_resolver_tcp.h - one DNS query over TCP (RFC 1035 4.2.2), for replies cut short over UDP.
#pragma once

#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <cstdint>
#include <vector>


namespace mail {


enum class TcpExchange
{
	Replied, ///< reply holds one whole message
	Refused, ///< nobody listens on the port
	Timeout, ///< no whole reply before the deadline
	Broken   ///< the connection ended or failed mid-way
};


TcpExchange tcpExchange(const Poco::Net::SocketAddress& server, const std::vector<std::uint8_t>& request,
	std::chrono::milliseconds timeout, std::vector<std::uint8_t>& reply);
/// Connects, sends request with its two-octet length prefix and reads one length-prefixed
/// reply, all within timeout; closes the connection (one query per connection is enough
/// for the few answers that do not fit a datagram).


} // namespace mail
