// dns_server.cpp - the UDP receive loop: one SO_REUSEPORT socket and thread per worker.
#include "dns/dns_server.h"

#include "dns/answer_cache.h"
#include "dns/dns_faults.h"
#include "dns/responder.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Runnable.h>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>


using Poco::Logger;
using Poco::Net::SocketAddress;


namespace mail {
namespace dns {


constexpr std::chrono::milliseconds DnsServer::StopPoll;


namespace {


int openSocket(const SocketAddress& address, bool reusePort, std::chrono::milliseconds receiveTimeout)
/// A bound UDP socket (with SO_REUSEPORT if asked) and a receive timeout; throws on failure.
{
	const int fd = ::socket(address.af(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) throw Poco::IOException("socket", std::strerror(errno));
	const int on = 1;
	timeval tv{};
	tv.tv_sec = static_cast<time_t>(receiveTimeout.count() / 1000);
	tv.tv_usec = static_cast<suseconds_t>((receiveTimeout.count() % 1000) * 1000);
	// A burst of queries must not overflow the default receive buffer (NSD does the same);
	// beyond net.core.rmem_max this needs CAP_NET_ADMIN, else the kernel's limit stays.
	const int bufferSize = static_cast<int>(DnsServer::SocketBufferSize);
	if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufferSize, sizeof bufferSize) != 0)
		::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferSize, sizeof bufferSize);
	if ((reusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
		|| ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0
		|| ::bind(fd, address.addr(), address.length()) != 0)
	{
		const int error = errno;
		::close(fd);
		throw Poco::IOException("cannot bind " + address.toString(), std::strerror(error));
	}
	return fd;
}


SocketAddress claimAddress(const SocketAddress& address)
/// Binds once without SO_REUSEPORT, so that an address another process (even another
/// mail-dns) already serves is an error rather than silently shared; returns the bound
/// address (a free port for port 0) for the workers' SO_REUSEPORT sockets.
{
	const int fd = openSocket(address, false, std::chrono::milliseconds(0));
	sockaddr_storage bound{};
	socklen_t length = sizeof bound;
	const int rc = ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
	::close(fd);
	if (rc != 0) throw Poco::IOException("getsockname", std::strerror(errno));
	return SocketAddress(reinterpret_cast<sockaddr*>(&bound), length);
}


} // namespace


class DnsServer::Worker: public Poco::Runnable
/// One socket, one thread, buffers for one batch.
{
public:
	Worker(DnsServer& server, int fd):
		_server(server), _fd(fd), _buffers(new Buffers) {}
	~Worker() override { ::close(_fd); }

	void run() override
	{
		std::uint64_t generation = 0;
		std::shared_ptr<const ZoneIndex> zone = _server.currentZone(generation);
		Buffers& b = *_buffers;
		while (!_server._stopping.load(std::memory_order_relaxed))
		{
			for (unsigned i = 0; i < BatchSize; ++i)
			{
				b.inIov[i] = {b.in[i], MaxQuerySize};
				b.inMsg[i].msg_hdr = msghdr{};
				b.inMsg[i].msg_hdr.msg_name = &b.peers[i];
				b.inMsg[i].msg_hdr.msg_namelen = sizeof b.peers[i];
				b.inMsg[i].msg_hdr.msg_iov = &b.inIov[i];
				b.inMsg[i].msg_hdr.msg_iovlen = 1;
			}
			const int received = receive();
			if (received <= 0)
			{
				if (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
					Logger::get("dns").error("- receive failed error=%s", std::string(std::strerror(errno)));
				continue;
			}
			// Checked after the wait, so a query that arrives after setZone() sees the new zone.
			if (_server._generation.load(std::memory_order_acquire) != generation)
			{
				zone = _server.currentZone(generation);
				_answers.clear(); // its replies came from the old zone
			}
			unsigned replies = 0;
			for (int i = 0; i < received; ++i)
			{
				const msghdr& in = b.inMsg[i].msg_hdr;
				std::size_t length = (in.msg_flags & MSG_TRUNC)
					? errorReply(b.in[i], b.inMsg[i].msg_len, RcodeFormErr, b.out[replies])
					: (_server._updates && isUpdate(b.in[i], b.inMsg[i].msg_len))
					? _server._updates->handle(b.in[i], b.inMsg[i].msg_len, b.peers[i], b.out[replies], MaxReplySize)
					: answer(*zone, b.in[i], b.inMsg[i].msg_len, b.out[replies]);
				if (length != 0 && _server._faults && _server._faults->active()) length = fault(i, replies, length);
				if (length == 0) continue;
				b.outIov[replies] = {b.out[replies], length};
				b.outMsg[replies].msg_hdr = msghdr{};
				b.outMsg[replies].msg_hdr.msg_name = &b.peers[i];
				b.outMsg[replies].msg_hdr.msg_namelen = in.msg_namelen;
				b.outMsg[replies].msg_hdr.msg_iov = &b.outIov[replies];
				b.outMsg[replies].msg_hdr.msg_iovlen = 1;
				++replies;
			}
			send(replies);
			const std::size_t journaled = _server._journal ? _server._journal->admit(replies) : 0;
			for (std::size_t k = 0; k < journaled; ++k)
				_server._journal->recordAdmitted(b.out[k], b.outIov[k].iov_len, *static_cast<const sockaddr_storage*>(b.outMsg[k].msg_hdr.msg_name), "udp");
			_queries.fetch_add(static_cast<std::uint64_t>(received), std::memory_order_relaxed);
		}
	}

	std::uint64_t queries() const { return _queries.load(std::memory_order_relaxed); }

private:
	struct Buffers
	{
		mmsghdr inMsg[BatchSize];
		iovec inIov[BatchSize];
		sockaddr_storage peers[BatchSize];
		std::uint8_t in[BatchSize][MaxQuerySize];
		mmsghdr outMsg[BatchSize];
		iovec outIov[BatchSize];
		std::uint8_t out[BatchSize][MaxReplySize];
	};

	std::size_t answer(const ZoneIndex& zone, const std::uint8_t* query, std::size_t size, std::uint8_t* reply)
	/// answerQuery(), or the same reply from the cache when this question was asked before.
	{
		std::size_t length = _answers.find(query, size, reply);
		if (length != 0) return length;
		length = answerQuery(zone, query, size, reply, MaxReplySize);
		if (length != 0) _answers.store(query, size, reply, length);
		return length;
	}

	int receive()
	/// recvmmsg of a batch: with busy polling, while the socket is empty, yields the core
	/// and looks again until dns.busy_poll_us has passed; then waits (up to StopPoll).
	{
		Buffers& b = *_buffers;
		if (_server._busyPoll.count() > 0)
		{
			const auto until = std::chrono::steady_clock::now() + _server._busyPoll;
			for (;;)
			{
				const int received = ::recvmmsg(_fd, b.inMsg, BatchSize, MSG_DONTWAIT, nullptr);
				if (received >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return received;
				if (std::chrono::steady_clock::now() >= until || _server._stopping.load(std::memory_order_relaxed)) break;
				::sched_yield();
			}
		}
		return ::recvmmsg(_fd, b.inMsg, BatchSize, MSG_WAITFORONE, nullptr);
	}

	std::size_t fault(int query, unsigned slot, std::size_t length)
	/// dns.faults on one reply: its new length; a delayed reply is handed over (0 here).
	{
		Buffers& b = *_buffers;
		Seconds delay;
		length = _server._faults->apply(b.out[slot], length, delay);
		if (delay.count() == 0) return length;
		_server._faults->sendLater(_fd, b.peers[query], b.inMsg[query].msg_hdr.msg_namelen, b.out[slot], length, delay);
		return 0;
	}

	void send(unsigned count)
	/// Sends the batch; a datagram the kernel refuses (e.g. unreachable peer) is skipped.
	{
		unsigned sent = 0;
		while (sent < count)
		{
			const int n = ::sendmmsg(_fd, _buffers->outMsg + sent, count - sent, 0);
			if (n > 0)
				sent += static_cast<unsigned>(n);
			else if (n < 0 && errno == EINTR)
				continue;
			else
				++sent;
		}
	}

	DnsServer& _server;
	int _fd;
	std::unique_ptr<Buffers> _buffers;
	AnswerCache _answers; ///< cleared whenever this worker takes a new zone
	std::atomic<std::uint64_t> _queries{0};
};


DnsServer::DnsServer(const SocketAddress& address, unsigned workers, std::shared_ptr<const ZoneIndex> zone):
	_address(address),
	_workerCount(workers == 0 ? 1 : workers),
	_zone(std::move(zone)),
	_tcp([this] { return this->zone(); })
{
}


DnsServer::~DnsServer()
{
	stop();
}


void DnsServer::start()
{
	poco_assert(_workers.empty());
	_stopping = false;
	// Port 0: the free UDP port may be taken for TCP; a few tries find one free for both.
	const bool anyPort = _address.port() == 0;
	for (int attempt = 0;; ++attempt)
	{
		const SocketAddress bound = claimAddress(_address);
		try
		{
			_tcp.start(bound);
			_address = bound;
			break;
		}
		catch (const Poco::IOException&)
		{
			if (!anyPort || attempt == 10) throw;
		}
	}
	for (unsigned i = 0; i < _workerCount; ++i)
		_workers.emplace_back(new Worker(*this, openSocket(_address, true, StopPoll)));
	for (auto& worker: _workers)
	{
		_threads.emplace_back(new Poco::Thread("dns-worker"));
		_threads.back()->start(*worker);
	}
}


void DnsServer::stop()
{
	_stopping = true;
	_tcp.stop();
	for (auto& thread: _threads) thread->join();
	_threads.clear();
	for (const auto& worker: _workers) _stoppedQueries += worker->queries();
	_workers.clear();
}


void DnsServer::setZone(std::shared_ptr<const ZoneIndex> zone)
{
	std::lock_guard<std::mutex> lock(_zoneMutex);
	_zone = std::move(zone);
	_generation.fetch_add(1, std::memory_order_release);
}


std::shared_ptr<const ZoneIndex> DnsServer::zone() const
{
	std::uint64_t generation = 0;
	return currentZone(generation);
}


std::shared_ptr<const ZoneIndex> DnsServer::currentZone(std::uint64_t& generation) const
{
	std::lock_guard<std::mutex> lock(_zoneMutex);
	generation = _generation.load(std::memory_order_relaxed);
	return _zone;
}


std::uint64_t DnsServer::queries() const
{
	std::uint64_t total = _stoppedQueries + _tcp.queries();
	for (const auto& worker: _workers) total += worker->queries();
	return total;
}


} // namespace dns
} // namespace mail
