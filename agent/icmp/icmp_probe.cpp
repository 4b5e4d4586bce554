// icmp_probe.cpp - send one echo request and wait for its answer.
#include "agent/icmp/icmp_probe.h"

#include <chrono>
#include <random>


using Poco::Net::IPAddress;


namespace mail {


IcmpProbe::IcmpProbe(IcmpSocket& socket, const IPAddress& destination, std::size_t payloadSize):
	_socket(socket),
	_destination(destination),
	_payloadSize(payloadSize),
	_id(static_cast<std::uint16_t>(std::random_device{}() & 0xffff))
{
}


ProbeResult IcmpProbe::send(std::uint16_t sequence, double timeoutSeconds)
{
	using Clock = std::chrono::steady_clock;
	auto packet = buildEchoRequest(_id, sequence, _payloadSize);
	Clock::time_point sentAt = Clock::now();
	Clock::time_point deadline = sentAt
		+ std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeoutSeconds));
	_socket.send(packet, _destination);
	ProbeResult result;
	for (;;)
	{
		auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
		if (left.count() <= 0) return result;
		auto message = _socket.receive(Poco::Timespan(left.count()));
		if (!message) return result;
		if (!message->answers(_id, sequence, !_socket.kernelPicksId())) continue;
		result.rttMs = std::chrono::duration<double, std::milli>(Clock::now() - sentAt).count();
		result.reply = message;
		return result;
	}
}


} // namespace mail
