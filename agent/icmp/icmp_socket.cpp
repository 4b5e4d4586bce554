// icmp_socket.cpp - raw or datagram ICMPv4 socket with TTL, receive timeouts and errors.
#include "agent/icmp/icmp_socket.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/RawSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketImpl.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>


using Poco::Net::IPAddress;
using Poco::Net::RawSocket;
using Poco::Net::Socket;
using Poco::Net::SocketAddress;
using Poco::Net::SocketImpl;


namespace mail {


namespace {


constexpr std::size_t ReceiveBufferSize = 65536;
constexpr std::size_t ControlBufferSize = 512;


class IcmpDatagramSocketImpl: public SocketImpl
/// SOCK_DGRAM + IPPROTO_ICMP, which Poco has no class for.
{
public:
	IcmpDatagramSocketImpl() { initSocket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP); }
};


class IcmpDatagramSocket: public Socket
{
public:
	IcmpDatagramSocket():
		Socket(new IcmpDatagramSocketImpl) {}
};


struct Datagram
/// One recvmsg(): the bytes, the peer address and the ancillary data.
{
	std::vector<std::uint8_t> bytes = std::vector<std::uint8_t>(ReceiveBufferSize);
	std::size_t length = 0;
	sockaddr_in from{};
	char control[ControlBufferSize];
	iovec iov{};
	msghdr header{};

	bool receive(int fd, int flags)
	{
		iov = {bytes.data(), bytes.size()};
		header.msg_name = &from;
		header.msg_namelen = sizeof(from);
		header.msg_iov = &iov;
		header.msg_iovlen = 1;
		header.msg_control = control;
		header.msg_controllen = sizeof(control);
		ssize_t n = ::recvmsg(fd, &header, flags);
		if (n < 0) return false;
		length = static_cast<std::size_t>(n);
		return true;
	}
};


/// Poco's text for a socket() failure can be just the errno number.
std::string reason(const Poco::Exception& e)
{
	return e.code() > 0 ? std::string(std::strerror(e.code())) : e.displayText();
}


int msUntil(std::chrono::steady_clock::time_point deadline)
{
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
	return left.count() < 0 ? 0 : static_cast<int>(left.count());
}


} // namespace


IcmpSocket::IcmpSocket()
{
	std::string rawError;
	try
	{
		_socket = RawSocket(SocketAddress::IPv4, IPPROTO_ICMP);
		_raw = true;
		return;
	}
	catch (const Poco::Exception& e)
	{
		rawError = reason(e);
	}
	try
	{
		_socket = IcmpDatagramSocket();
		_raw = false;
		int on = 1;
		_socket.impl()->setRawOption(IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
		_socket.impl()->setRawOption(IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	}
	catch (const Poco::Exception& e)
	{
		throw IcmpUnavailable("cannot open an ICMP socket: raw socket: " + rawError
			+ " (needs root or CAP_NET_RAW); datagram socket: " + reason(e)
			+ " (needs a group in sysctl net.ipv4.ping_group_range)");
	}
}


void IcmpSocket::setTtl(int ttl)
{
	_socket.impl()->setOption(IPPROTO_IP, IP_TTL, ttl);
}


void IcmpSocket::send(const std::vector<std::uint8_t>& packet, const IPAddress& destination)
{
	_socket.impl()->sendTo(packet.data(), static_cast<int>(packet.size()), SocketAddress(destination, 0));
}


std::optional<IcmpMessage> IcmpSocket::receive(const Poco::Timespan& timeout)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.totalMicroseconds());
	for (;;)
	{
		pollfd pfd{_socket.impl()->sockfd(), POLLIN, 0};
		int ready = ::poll(&pfd, 1, msUntil(deadline));
		if (ready < 0 && errno == EINTR) continue;
		if (ready < 0) throw Poco::Net::NetException("poll on ICMP socket", std::strerror(errno), errno);
		if (ready == 0) return std::nullopt;
		std::optional<IcmpMessage> message;
		if (pfd.revents & POLLERR) message = receiveError();
		else if (pfd.revents & POLLIN) message = receiveData();
		if (message) return message;
		if (msUntil(deadline) == 0) return std::nullopt;
	}
}


std::optional<IcmpMessage> IcmpSocket::receiveData()
{
	Datagram datagram;
	if (!datagram.receive(_socket.impl()->sockfd(), 0)) return std::nullopt;
	auto message = parseIcmp(datagram.bytes.data(), datagram.length, _raw);
	if (!message || _raw) return message;
	message->source = ntohl(datagram.from.sin_addr.s_addr);
	for (cmsghdr* c = CMSG_FIRSTHDR(&datagram.header); c; c = CMSG_NXTHDR(&datagram.header, c))
	{
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
		{
			int ttl = 0;
			std::memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			message->ttl = static_cast<std::uint8_t>(ttl);
		}
	}
	return message;
}


std::optional<IcmpMessage> IcmpSocket::receiveError()
{
	// The error queue holds our own request (the kernel's copy), addressed to the
	// target, plus where the ICMP error came from.
	Datagram datagram;
	if (!datagram.receive(_socket.impl()->sockfd(), MSG_ERRQUEUE) || datagram.length < IcmpHeaderSize)
		return std::nullopt;
	const std::vector<std::uint8_t>& request = datagram.bytes;
	for (cmsghdr* c = CMSG_FIRSTHDR(&datagram.header); c; c = CMSG_NXTHDR(&datagram.header, c))
	{
		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
		const auto* error = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
		if (error->ee_origin != SO_EE_ORIGIN_ICMP) return std::nullopt;
		IcmpMessage message;
		message.type = error->ee_type;
		message.code = error->ee_code;
		message.kind = error->ee_type == IcmpTypeTimeExceeded ? IcmpKind::TimeExceeded
			: error->ee_type == IcmpTypeDestUnreachable       ? IcmpKind::DestUnreachable
															  : IcmpKind::Other;
		const sockaddr* offender = SO_EE_OFFENDER(error);
		if (offender->sa_family == AF_INET)
			message.source = ntohl(reinterpret_cast<const sockaddr_in*>(offender)->sin_addr.s_addr);
		message.originalDestination = ntohl(datagram.from.sin_addr.s_addr);
		message.id = static_cast<std::uint16_t>((request[4] << 8) | request[5]);
		message.sequence = static_cast<std::uint16_t>((request[6] << 8) | request[7]);
		message.hasEcho = request[0] == IcmpTypeEchoRequest;
		return message;
	}
	return std::nullopt;
}


} // namespace mail
