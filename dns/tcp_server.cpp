// tcp_server.cpp - DNS over TCP (RFC 1035 4.2.2, RFC 7766) on the address the UDP workers serve.
#include "dns/tcp_server.h"

#include "dns/responder.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>


namespace mail {
namespace dns {


constexpr std::chrono::milliseconds TcpServer::DefaultIdleTimeout;


namespace {


using Clock = std::chrono::steady_clock;

const int PollMs = 200;                  ///< how soon the thread sees stop() and expired deadlines
const std::size_t MaxAnswerSize = 65535; ///< the two-octet length prefix's limit


} // namespace


struct TcpServer::Connection
{
	explicit Connection(int socketFd):
		fd(socketFd) { in.resize(2 + MaxQuerySize); }
	~Connection() { ::close(fd); }

	int fd;
	sockaddr_storage peer{};      ///< the client, for the journal
	std::vector<std::uint8_t> in; ///< fixed size: prefix plus the largest query we take
	std::size_t have = 0;         ///< octets of in that hold data
	std::vector<std::uint8_t> out;
	std::size_t sent = 0; ///< octets of out already written
	Clock::time_point deadline;

	std::size_t pending() const { return out.size() - sent; }
};


TcpServer::TcpServer(ZoneSource zone, std::chrono::milliseconds idleTimeout, std::size_t maxConnections):
	_zone(std::move(zone)),
	_idleTimeout(idleTimeout),
	_maxConnections(maxConnections),
	_answer(MaxAnswerSize)
{
}


TcpServer::~TcpServer()
{
	stop();
}


void TcpServer::start(const Poco::Net::SocketAddress& address)
{
	poco_assert(_listenFd < 0);
	const int fd = ::socket(address.af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) throw Poco::IOException("socket", std::strerror(errno));
	const int on = 1;
	if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
		|| ::bind(fd, address.addr(), address.length()) != 0 || ::listen(fd, SOMAXCONN) != 0)
	{
		const int error = errno;
		::close(fd);
		throw Poco::IOException("cannot bind TCP " + address.toString(), std::strerror(error));
	}
	sockaddr_storage bound{};
	socklen_t length = sizeof bound;
	::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
	_listenFd = fd;
	_address = Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&bound), length);
	_stopping = false;
	_thread = std::thread([this] { run(); });
}


void TcpServer::stop()
{
	_stopping = true;
	if (_thread.joinable()) _thread.join();
	if (_listenFd >= 0) ::close(_listenFd);
	_listenFd = -1;
}


void TcpServer::run()
{
	std::vector<std::unique_ptr<Connection>> connections;
	std::vector<pollfd> fds;
	Clock::time_point acceptAgain; // out of descriptors: leave the backlog alone until then
	while (!_stopping.load(std::memory_order_relaxed))
	{
		fds.assign(1, pollfd{_listenFd, static_cast<short>(Clock::now() >= acceptAgain ? POLLIN : 0), 0});
		for (const auto& c: connections)
		{
			short events = c->pending() > 0 ? POLLOUT : 0;
			if (c->pending() < MaxPendingOutput) events |= POLLIN; // else: let the client read first
			fds.push_back(pollfd{c->fd, events, 0});
		}
		if (::poll(fds.data(), fds.size(), PollMs) < 0 && errno != EINTR)
		{
			Poco::Logger::get("dns").error("- tcp poll failed error=%s", std::string(std::strerror(errno)));
			continue;
		}
		const std::shared_ptr<const ZoneIndex> zone = _zone();
		const Clock::time_point now = Clock::now();
		std::vector<std::unique_ptr<Connection>> kept;
		for (std::size_t i = 0; i < connections.size(); ++i)
		{
			Connection& c = *connections[i];
			const short revents = fds[i + 1].revents;
			bool open = !(revents & POLLNVAL);
			if (open && (revents & (POLLIN | POLLHUP | POLLERR)) && c.have < c.in.size()) open = readFrom(c);
			if (open) open = answer(c, *zone);
			if (open && c.pending() > 0) open = writeTo(c);
			if (open && now >= c.deadline) open = false; // idle, or too slow to finish a query
			if (open) kept.push_back(std::move(connections[i]));
		}
		connections.swap(kept);
		if ((fds[0].revents & POLLIN) && !accept(connections))
			acceptAgain = Clock::now() + std::chrono::milliseconds(PollMs); // else poll() would spin
		_open.store(connections.size(), std::memory_order_relaxed);
	}
	connections.clear();
	_open.store(0, std::memory_order_relaxed);
}


bool TcpServer::accept(std::vector<std::unique_ptr<Connection>>& connections)
/// Takes every waiting connection; false when out of descriptors (EMFILE, ENFILE).
{
	for (;;)
	{
		sockaddr_storage peer{};
		socklen_t peerLength = sizeof peer;
		const int fd = ::accept4(_listenFd, reinterpret_cast<sockaddr*>(&peer), &peerLength, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) return errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM;
		if (connections.size() >= _maxConnections)
		{
			::close(fd); // at the limit: a quick close beats a client waiting in the backlog
			continue;
		}
		const int on = 1;
		::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		connections.emplace_back(new Connection(fd));
		connections.back()->peer = peer;
		connections.back()->deadline = Clock::now() + _idleTimeout;
	}
}


bool TcpServer::readFrom(Connection& c)
/// Reads what fits into the query buffer; false: the client closed or failed.
{
	const ssize_t n = ::recv(c.fd, c.in.data() + c.have, c.in.size() - c.have, 0);
	if (n == 0) return false;
	if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	c.have += static_cast<std::size_t>(n);
	return true;
}


bool TcpServer::answer(Connection& c, const ZoneIndex& zone)
/// Answers the whole queries buffered, while the answers waiting stay under the bound;
/// false: the input is not DNS, close the connection.
{
	std::size_t used = 0;
	while (c.have - used >= 2 && c.pending() < MaxPendingOutput)
	{
		const std::size_t length = (std::size_t(c.in[used]) << 8) | c.in[used + 1];
		if (length == 0 || length > MaxQuerySize) return false; // nothing sane follows
		if (c.have - used < 2 + length) break;
		const std::uint8_t* query = c.in.data() + used + 2;
		std::size_t size = (_updates && isUpdate(query, length))
			? _updates->handle(query, length, c.peer, _answer.data(), _answer.size())
			: answerQuery(zone, query, length, _answer.data(), _answer.size(), true);
		_queries.fetch_add(1, std::memory_order_relaxed);
		if (size == 0) return false; // not a query (too short, or an answer): no stream to resync
		if (_faults && _faults->active())
		{
			Seconds ignoredDelay{0};
			size = _faults->apply(_answer.data(), size, ignoredDelay);
			if (size == 0)
			{
				used += 2 + length; // a `drop`: this query gets no answer
				continue;
			}
		}
		c.out.push_back(static_cast<std::uint8_t>(size >> 8));
		c.out.push_back(static_cast<std::uint8_t>(size));
		c.out.insert(c.out.end(), _answer.begin(), _answer.begin() + static_cast<std::ptrdiff_t>(size));
		if (_journal) _journal->record(_answer.data(), size, c.peer, "tcp");
		used += 2 + length;
		c.deadline = Clock::now() + _idleTimeout;
	}
	std::memmove(c.in.data(), c.in.data() + used, c.have - used);
	c.have -= used;
	return true;
}


bool TcpServer::writeTo(Connection& c)
/// Writes what the socket takes; false: the client is gone.
{
	const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.pending(), MSG_NOSIGNAL);
	if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	c.sent += static_cast<std::size_t>(n);
	if (c.pending() == 0)
	{
		c.out.clear();
		c.sent = 0;
	}
	return true;
}


} // namespace dns
} // namespace mail
