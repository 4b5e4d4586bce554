// tcp_server.h - DNS over TCP (RFC 1035 4.2.2, RFC 7766) on the address the UDP workers serve.
//
// One thread polls the listening socket and every connection (non-blocking). A
// connection may send several length-prefixed queries, pipelined; answers go back in
// order, each as large as the zone's answer (no 512/EDNS limit). What bounds it:
//   - at most MaxConnections at once; one more is accepted and closed at once;
//   - a query longer than MaxQuerySize octets, or of length 0, closes the connection;
//   - each query must be complete within the idle timeout of the previous answer (or
//     of the accept), so a client trickling bytes (slowloris) is closed on time;
//   - a client that does not read its answers stops being read once MaxPendingOutput
//     octets wait for it (and then meets the idle timeout).
// Memory per connection is thus at most one query plus MaxPendingOutput and one answer.
#pragma once

#include "dns/dns_faults.h"
#include "dns/update_handler.h"
#include "dns/query_journal.h"
#include "dns/zone_index.h"

#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>


namespace mail {
namespace dns {


class TcpServer
{
public:
	using ZoneSource = std::function<std::shared_ptr<const ZoneIndex>()>; ///< the zone to answer from now

	static const std::size_t MaxConnections = 128;
	static const std::size_t MaxQuerySize = 4096;
	static const std::size_t MaxPendingOutput = std::size_t{64} * 1024;
	static constexpr std::chrono::milliseconds DefaultIdleTimeout{10000}; ///< RFC 7766 6.2.3: seconds, not minutes

	explicit TcpServer(ZoneSource zone, std::chrono::milliseconds idleTimeout = DefaultIdleTimeout,
		std::size_t maxConnections = MaxConnections);
	~TcpServer();
	TcpServer(const TcpServer&) = delete;
	TcpServer& operator=(const TcpServer&) = delete;

	void start(const Poco::Net::SocketAddress& address);
	/// Binds and listens (SO_REUSEADDR) and starts the thread; throws Poco::IOException.
	/// Port 0 binds a free port (see address()).
	void stop();
	/// Closes every connection and joins the thread; idempotent.

	Poco::Net::SocketAddress address() const { return _address; }
	std::uint64_t queries() const { return _queries.load(std::memory_order_relaxed); }

	void setFaults(DnsFaults* faults) { _faults = faults; }
	void setUpdates(UpdateHandler* updates) { _updates = updates; } ///< UPDATE messages go to it; null: NOTIMP
	/// `dns.faults` applied to each answer as over UDP, except that a `delay` is not
	/// waited for (this one thread serves every connection) and a `drop` leaves the query
	/// unanswered on an open connection; set before start(), or null.
	void setJournal(QueryJournal* journal) { _journal = journal; }
	/// Records a `dns.query` event (transport "tcp") for each answer queued; set before
	/// start(), or null.
	std::size_t connections() const { return _open.load(std::memory_order_relaxed); } ///< open now

private:
	struct Connection;

	void run();
	bool accept(std::vector<std::unique_ptr<Connection>>& connections);
	bool readFrom(Connection& connection);
	bool answer(Connection& connection, const ZoneIndex& zone);
	bool writeTo(Connection& connection);

	ZoneSource _zone;
	std::chrono::milliseconds _idleTimeout;
	std::size_t _maxConnections;
	Poco::Net::SocketAddress _address;
	int _listenFd = -1;
	std::atomic<bool> _stopping{false};
	std::atomic<std::uint64_t> _queries{0};
	DnsFaults* _faults = nullptr;
	UpdateHandler* _updates = nullptr;
	QueryJournal* _journal = nullptr;
	std::atomic<std::size_t> _open{0};
	std::vector<std::uint8_t> _answer; ///< one answer, reused (only the thread touches it)
	std::thread _thread;
};


} // namespace dns
} // namespace mail
