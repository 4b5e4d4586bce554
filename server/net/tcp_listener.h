// tcp_listener.h - one TCP port of a mail server: thread per session, bounded admission.
//
// Its own accept loop feeds Poco's TCPServerDispatcher and thread pool. Admission (total
// and per client address) is decided when a session starts, before any greeting: a
// refused client gets the protocol's busy reply and is closed, never silently dropped as
// Poco's queue would. When the process runs out of file descriptors, Poco's TCPServer
// would spin on accept() with nothing logged while clients wait for a greeting; this loop
// logs it and answers each waiting client with the busy reply through a reserved fd.
#pragma once

#include "common/config/config.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>


namespace Poco {
class ThreadPool;
class Timer;
namespace Net {
class TCPServerDispatcher;
}
} // namespace Poco


namespace mail {


class TcpListener
{
public:
	using SessionRunner = std::function<void(Poco::Net::StreamSocket& socket, const std::string& sessionId)>;
	/// Runs one whole session on the calling (pool) thread. Exceptions escaping it are
	/// logged by the listener with the session id.

	TcpListener(std::string protocol, std::string address, std::uint16_t port, const Limits& limits,
		SessionRunner run, std::string busyReply);
	~TcpListener();

	TcpListener(const TcpListener&) = delete;
	TcpListener& operator=(const TcpListener&) = delete;

	void start();
	/// Binds and starts accepting. Throws Poco::Exception (e.g. address in use).
	void stop(const Poco::Timespan& grace = Poco::Timespan(10, 0));
	/// Stops accepting, shuts down the receive side of every live session socket so a
	/// blocked read returns at once, and waits up to grace for the sessions to end.

	std::size_t activeSessions() const;
	std::uint16_t port() const; ///< the bound port (useful with port 0)
	const std::string& protocol() const { return _protocol; }

	// Used by the connection objects.
	bool admit(const std::string& ip, Poco::Net::StreamSocket* socket, std::string& reason);
	void release(const std::string& ip, Poco::Net::StreamSocket* socket);
	void runSession(Poco::Net::StreamSocket& socket, const std::string& sessionId) { _run(socket, sessionId); }
	const std::string& busyReply() const { return _busyReply; }

private:
	void collectIdleThreads(Poco::Timer& timer);
	void acceptLoop();
	void refuseOneWithoutFds(int error);
	/// Out of descriptors: frees the reserved one, accepts one waiting client, sends it
	/// the busy reply, closes it and reserves a descriptor again.

	const std::string _protocol;
	const std::string _address;
	const std::uint16_t _port;
	const Limits _limits;
	const SessionRunner _run;
	const std::string _busyReply;

	std::unique_ptr<Poco::ThreadPool> _pool;
	Poco::Net::ServerSocket _listenSocket;
	Poco::Net::TCPServerDispatcher* _dispatcher = nullptr; ///< reference counted by Poco
	std::thread _acceptor;
	std::atomic<bool> _acceptStop{false};
	int _reserveFd = -1;             ///< /dev/null, closed to answer a client when out of fds
	std::size_t _fdRefusals = 0;     ///< clients answered busy since the last warning
	std::int64_t _lastFdWarning = 0; ///< monotonic microseconds of the last warning
	std::unique_ptr<Poco::Timer> _collector;

	mutable std::mutex _mutex;
	std::condition_variable _idle;
	std::set<Poco::Net::StreamSocket*> _sockets;
	std::map<std::string, std::size_t> _perIp;
	bool _stopping = false;
};


} // namespace mail
