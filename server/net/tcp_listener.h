// tcp_listener.h - one TCP port of a mail server: thread per session, bounded admission.
//
// Wraps Poco::Net::TCPServer with its own thread pool. Admission (total and per client
// address) is decided when a session starts, before any greeting: a refused client gets
// the protocol's busy reply and is closed, never silently dropped as Poco's queue would.
#pragma once

#include "common/config.h"

#include <Poco/Net/StreamSocket.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>


namespace Poco {
class ThreadPool;
class Timer;
namespace Net {
class TCPServer;
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
	void stop(Poco::Timespan grace = Poco::Timespan(10, 0));
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

	const std::string _protocol;
	const std::string _address;
	const std::uint16_t _port;
	const Limits _limits;
	const SessionRunner _run;
	const std::string _busyReply;

	std::unique_ptr<Poco::ThreadPool> _pool;
	std::unique_ptr<Poco::Net::TCPServer> _server;
	std::unique_ptr<Poco::Timer> _collector;

	mutable std::mutex _mutex;
	std::condition_variable _idle;
	std::set<Poco::Net::StreamSocket*> _sockets;
	std::map<std::string, std::size_t> _perIp;
	bool _stopping = false;
};


} // namespace mail
