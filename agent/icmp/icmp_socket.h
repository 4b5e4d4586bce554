// icmp_socket.h - an ICMPv4 socket for ping and trace: raw when allowed, else datagram.
//
// Poco::Net::ICMPSocket (1.11) reports round trips in whole milliseconds, hides the
// reply's TTL and turns a time-exceeded message into an exception without its sender,
// so ping and trace open a Poco::Net::RawSocket (IPPROTO_ICMP) instead and parse the
// packets themselves (icmp_packet.h). Where raw sockets are not allowed (no
// CAP_NET_RAW), an unprivileged ICMP datagram socket is used (Linux, when the group is
// in net.ipv4.ping_group_range): the kernel then picks the echo id, reports the TTL
// with IP_RECVTTL and delivers ICMP errors on the error queue (IP_RECVERR).
#pragma once

#include "agent/icmp/icmp_packet.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/Socket.h>
#include <Poco/Timespan.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>


namespace mail {


class IcmpUnavailable: public std::runtime_error
/// Neither a raw nor a datagram ICMP socket could be opened; what() says why for each.
{
public:
	using std::runtime_error::runtime_error;
};


class IcmpSocket
{
public:
	IcmpSocket();
	/// Opens a raw ICMP socket, else a datagram one. Throws IcmpUnavailable.

	bool isRaw() const { return _raw; }
	const char* kind() const { return _raw ? "raw" : "datagram"; }
	bool kernelPicksId() const { return !_raw; }
	///< Datagram sockets rewrite the echo id; match replies by sequence only.

	void setTtl(int ttl);
	void send(const std::vector<std::uint8_t>& packet, const Poco::Net::IPAddress& destination);

	std::optional<IcmpMessage> receive(const Poco::Timespan& timeout);
	/// The next ICMP message (echo reply, error, ...) within timeout; nothing on timeout.
	/// Packets that do not parse are skipped.

private:
	std::optional<IcmpMessage> receiveData();
	std::optional<IcmpMessage> receiveError();

	Poco::Net::Socket _socket;
	bool _raw = true;
};


} // namespace mail
