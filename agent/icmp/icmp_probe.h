// icmp_probe.h - one echo request and the wait for the message that answers it.
//
// Shared by ping and trace: picks a random echo id per probe set, sends a request with
// a given sequence, and waits up to a timeout for the echo reply or ICMP error that
// matches it (by id and sequence; others' traffic and late replies are skipped).
#pragma once

#include "agent/icmp/icmp_socket.h"

#include <Poco/Net/IPAddress.h>

#include <cstddef>
#include <cstdint>
#include <optional>


namespace mail {


struct ProbeResult
{
	std::optional<IcmpMessage> reply; ///< nothing: timed out
	double rttMs = 0.0;
};


class IcmpProbe
{
public:
	IcmpProbe(IcmpSocket& socket, const Poco::Net::IPAddress& destination, std::size_t payloadSize);

	ProbeResult send(std::uint16_t sequence, double timeoutSeconds);

	std::uint16_t id() const { return _id; }

private:
	IcmpSocket& _socket;
	Poco::Net::IPAddress _destination;
	std::size_t _payloadSize;
	std::uint16_t _id;
};


} // namespace mail
