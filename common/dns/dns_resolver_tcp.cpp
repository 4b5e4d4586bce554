// dns_resolver_tcp.cpp - one DNS query over TCP (RFC 1035 4.2.2), for replies cut short over UDP.
#include "common/dns/dns_resolver_tcp.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>


namespace mail {


namespace {


using Clock = std::chrono::steady_clock;


Poco::Timespan left(Clock::time_point deadline)
{
	const auto us = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
	return Poco::Timespan(us > 0 ? us : 0);
}


bool readExactly(Poco::Net::StreamSocket& socket, std::uint8_t* data, std::size_t size, Clock::time_point deadline,
	TcpExchange& failure)
/// Reads size octets before the deadline; false with failure set otherwise.
{
	std::size_t have = 0;
	while (have < size)
	{
		const Poco::Timespan wait = left(deadline);
		if (wait.totalMicroseconds() == 0 || !socket.poll(wait, Poco::Net::Socket::SELECT_READ))
		{
			failure = TcpExchange::Timeout;
			return false;
		}
		const int n = socket.receiveBytes(data + have, static_cast<int>(size - have));
		if (n <= 0)
		{
			failure = TcpExchange::Broken;
			return false;
		}
		have += static_cast<std::size_t>(n);
	}
	return true;
}


} // namespace


TcpExchange tcpExchange(const Poco::Net::SocketAddress& server, const std::vector<std::uint8_t>& request,
	std::chrono::milliseconds timeout, std::vector<std::uint8_t>& reply)
{
	const Clock::time_point deadline = Clock::now() + timeout;
	try
	{
		Poco::Net::StreamSocket socket;
		socket.connect(server, Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
		socket.setNoDelay(true);
		std::vector<std::uint8_t> framed(request.size() + 2);
		framed[0] = static_cast<std::uint8_t>(request.size() >> 8);
		framed[1] = static_cast<std::uint8_t>(request.size());
		std::copy(request.begin(), request.end(), framed.begin() + 2);
		socket.setSendTimeout(left(deadline));
		socket.sendBytes(framed.data(), static_cast<int>(framed.size())); // small: fits the send buffer
		std::uint8_t prefix[2];
		TcpExchange failure = TcpExchange::Broken;
		if (!readExactly(socket, prefix, 2, deadline, failure)) return failure;
		reply.assign(static_cast<std::size_t>((prefix[0] << 8) | prefix[1]), 0);
		if (!readExactly(socket, reply.data(), reply.size(), deadline, failure)) return failure;
		return TcpExchange::Replied;
	}
	catch (const Poco::Net::ConnectionRefusedException&)
	{
		return TcpExchange::Refused;
	}
	catch (const Poco::TimeoutException&)
	{
		return TcpExchange::Timeout;
	}
	catch (const Poco::Exception&)
	{
		return TcpExchange::Broken;
	}
}


} // namespace mail
