// tcp_listener.cpp - one TCP port of a mail server: thread per session, bounded admission.
#include "server/net/tcp_listener.h"

#include "common/ops/log.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timer.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

using Poco::Net::StreamSocket;


namespace mail {


namespace {


/// Threads beyond maxSessions, so that over-limit clients still get their busy reply
/// promptly instead of waiting in Poco's queue.
constexpr int kRejectThreads = 16;
/// Poco queues connections when every thread is busy; keep the queue deep so none is
/// dropped silently (the admission check answers them once a thread is free).
constexpr int kMaxQueued = 4096;
/// Session threads need little stack: no recursion, buffers on the heap.
constexpr int kStackSize = 512 * 1024;
/// A session thread idle this long goes back to the pool, and a pool thread idle this
/// long is ended, so the thread count returns to its baseline soon after a burst.
constexpr int kIdleSeconds = 2;
/// How often idle pool threads are collected.
constexpr long kCollectIntervalMs = 1000;
/// How long the accept loop waits before looking at the stop flag again.
constexpr int kAcceptPollMs = 250;
/// Out of descriptors, at most one warning per this many microseconds (with a count).
constexpr std::int64_t kFdWarningInterval = 1000000;


std::int64_t monotonicMicros()
{
	return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
		.count();
}


class ListenerConnection: public Poco::Net::TCPServerConnection
{
public:
	ListenerConnection(const StreamSocket& socket, TcpListener& owner):
		Poco::Net::TCPServerConnection(socket),
		_owner(owner)
	{
	}

	void run() override
	{
		Poco::Logger& log = Poco::Logger::get(_owner.protocol());
		const std::string id = newSessionId();
		StreamSocket& sock = socket();
		std::string ip;
		try
		{
			ip = sock.peerAddress().host().toString();
		}
		catch (const Poco::Exception& exc)
		{
			log.debug("%s peer gone before the session started error=%s", id, exc.displayText());
			return;
		}
		std::string reason;
		if (!_owner.admit(ip, &sock, reason))
		{
			log.warning("%s refused peer=%s reason=%s", id, ip, reason);
			try
			{
				sock.setSendTimeout(Poco::Timespan(5, 0));
				sock.sendBytes(_owner.busyReply().data(), static_cast<int>(_owner.busyReply().size()));
				sock.shutdownSend();
			}
			catch (const Poco::Exception& exc)
			{
				log.debug("%s busy reply not sent error=%s", id, exc.displayText());
			}
			return;
		}
		try
		{
			_owner.runSession(sock, id);
		}
		catch (const Poco::Exception& exc)
		{
			log.error("%s session failed error=%s", id, exc.displayText());
		}
		catch (const std::exception& exc)
		{
			log.error("%s session failed error=%s", id, std::string(exc.what()));
		}
		_owner.release(ip, &sock);
	}

private:
	TcpListener& _owner;
};


class ListenerFactory: public Poco::Net::TCPServerConnectionFactory
{
public:
	explicit ListenerFactory(TcpListener& owner):
		_owner(owner) {}

	Poco::Net::TCPServerConnection* createConnection(const StreamSocket& socket) override
	{
		return new ListenerConnection(socket, _owner);
	}

private:
	TcpListener& _owner;
};


} // namespace


TcpListener::TcpListener(std::string protocol, std::string address, std::uint16_t port, const Limits& limits,
	SessionRunner run, std::string busyReply):
	_protocol(std::move(protocol)),
	_address(std::move(address)),
	_port(port),
	_limits(limits),
	_run(std::move(run)),
	_busyReply(std::move(busyReply))
{
}


TcpListener::~TcpListener()
{
	stop(Poco::Timespan(1, 0));
}


void TcpListener::start()
{
	Poco::Net::ServerSocket socket;
	socket.bind(Poco::Net::SocketAddress(_address, _port), true /* reuse TIME_WAIT addresses */, false);
	socket.listen(1024);
	_listenSocket = socket;
	_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	const int threads = static_cast<int>(_limits.maxSessions) + kRejectThreads;
	// +1: the collector timer's thread.
	_pool.reset(new Poco::ThreadPool(_protocol, 2, threads + 1, kIdleSeconds, kStackSize));
	Poco::Net::TCPServerParams::Ptr params = new Poco::Net::TCPServerParams;
	params->setMaxThreads(threads);
	params->setMaxQueued(kMaxQueued);
	params->setThreadIdleTime(Poco::Timespan(kIdleSeconds, 0));
	_dispatcher = new Poco::Net::TCPServerDispatcher(new ListenerFactory(*this), *_pool, params);
	_acceptStop = false;
	_acceptor = std::thread([this] { acceptLoop(); });
	// Poco's pool ends idle threads only when a new one is requested; collect them.
	_collector.reset(new Poco::Timer(kCollectIntervalMs, kCollectIntervalMs));
	_collector->start(Poco::TimerCallback<TcpListener>(*this, &TcpListener::collectIdleThreads), *_pool);
	Poco::Logger::get(_protocol).information("- listening address=%s port=%hu max_sessions=%z max_sessions_per_ip=%z",
		_address, port(), _limits.maxSessions, _limits.maxSessionsPerIp);
}


void TcpListener::stop(const Poco::Timespan& grace)
{
	if (!_dispatcher) return;
	_collector->stop();
	_acceptStop = true;
	if (_acceptor.joinable()) _acceptor.join();
	_dispatcher->stop(); // no new connections; queued ones are dropped by Poco
	std::unique_lock<std::mutex> lock(_mutex);
	_stopping = true;
	for (StreamSocket* socket: _sockets)
	{
		try
		{
			socket->shutdownReceive();
		}
		catch (const Poco::Exception&)
		{
			// already closed by the peer: the session is ending anyway
		}
	}
	_idle.wait_for(lock, std::chrono::microseconds(grace.totalMicroseconds()), [this] { return _sockets.empty(); });
	const std::size_t left = _sockets.size();
	lock.unlock();
	if (left) Poco::Logger::get(_protocol).warning("- stop sessions_left=%z", left);
	_pool->joinAll();
	_dispatcher->release();
	_dispatcher = nullptr;
	_listenSocket.close();
	if (_reserveFd >= 0) ::close(_reserveFd);
	_reserveFd = -1;
}


void TcpListener::acceptLoop()
{
	Poco::Logger& log = Poco::Logger::get(_protocol);
	pollfd listening{};
	listening.fd = _listenSocket.impl()->sockfd();
	listening.events = POLLIN;
	while (!_acceptStop)
	{
		if (_reserveFd < 0) _reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (::poll(&listening, 1, kAcceptPollMs) <= 0) continue; // timeout or EINTR: look at the flag
		const int client = ::accept4(listening.fd, nullptr, nullptr, SOCK_CLOEXEC);
		if (client >= 0)
		{
			try
			{
				StreamSocket socket(new Poco::Net::StreamSocketImpl(client));
				socket.setNoDelay(true);
				_dispatcher->enqueue(socket);
			}
			catch (const Poco::Exception& exc)
			{
				log.error("- accept failed error=%s", exc.displayText());
			}
			continue;
		}
		const int error = errno;
		if (error == EMFILE || error == ENFILE)
		{
			refuseOneWithoutFds(error);
		}
		else if (error != EAGAIN && error != EINTR && error != ECONNABORTED)
		{
			log.error("- accept failed error=%s", std::string(std::strerror(error)));
			std::this_thread::sleep_for(std::chrono::milliseconds(50)); // e.g. ENOBUFS: let it recover
		}
	}
}


void TcpListener::refuseOneWithoutFds(int error)
{
	const int listening = _listenSocket.impl()->sockfd();
	if (_reserveFd >= 0) ::close(_reserveFd);
	_reserveFd = -1;
	const int client = ::accept4(listening, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (client >= 0)
	{
		// Non-blocking and best effort: a fresh socket's send buffer takes the line.
		::send(client, _busyReply.data(), _busyReply.size(), MSG_NOSIGNAL);
		::close(client);
		++_fdRefusals;
	}
	_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	const std::int64_t now = monotonicMicros();
	if (now - _lastFdWarning >= kFdWarningInterval)
	{
		Poco::Logger::get(_protocol).warning(
			"- out of file descriptors, new clients get the busy reply refused=%z active=%z error=%s", _fdRefusals,
			activeSessions(), std::string(std::strerror(error)));
		_lastFdWarning = now;
		_fdRefusals = 0;
	}
	// Still none to spare (the reserve could not be reopened): the waiting client stays
	// readable, so pause instead of spinning on accept().
	if (_reserveFd < 0 || client < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}


bool TcpListener::admit(const std::string& ip, StreamSocket* socket, std::string& reason)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stopping)
	{
		reason = "shutting-down";
		return false;
	}
	if (_sockets.size() >= _limits.maxSessions)
	{
		reason = "max-sessions";
		return false;
	}
	std::size_t& count = _perIp[ip];
	if (count >= _limits.maxSessionsPerIp)
	{
		if (count == 0) _perIp.erase(ip);
		reason = "max-sessions-per-ip";
		return false;
	}
	++count;
	_sockets.insert(socket);
	return true;
}


void TcpListener::release(const std::string& ip, StreamSocket* socket)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_sockets.erase(socket);
	auto it = _perIp.find(ip);
	if (it != _perIp.end() && --it->second == 0) _perIp.erase(it);
	if (_sockets.empty()) _idle.notify_all();
}


void TcpListener::collectIdleThreads(Poco::Timer&)
{
	_pool->collect();
}


std::size_t TcpListener::activeSessions() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _sockets.size();
}


std::uint16_t TcpListener::port() const
{
	return _dispatcher ? _listenSocket.address().port() : _port;
}


} // namespace mail
