// dns_server.h - the UDP receive loop: one SO_REUSEPORT socket and thread per worker,
// and DNS over TCP (TcpServer) on the same address and port.
//
// Each worker receives batches with recvmmsg, answers them with answerQuery() (or from its
// AnswerCache when the question was asked before) into buffers allocated once, and sends the batch with sendmmsg: no allocation and no lock
// per query. With busy polling (dns.busy_poll_us) a worker whose socket is empty yields
// its core and looks again for that long before it sleeps, so under load it is not put
// to sleep and woken (a wake-up costs the sender an inter-processor interrupt) between
// two batches; an idle server still sleeps. setZone() publishes a new immutable ZoneIndex; a worker takes it (under a
// mutex) only when the generation counter has moved, i.e. once per reload.
#pragma once

#include "dns/query_journal.h"
#include "dns/tcp_server.h"
#include "dns/update_handler.h"
#include "dns/zone_index.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Thread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>


namespace mail {
namespace dns {


class DnsFaults;


class DnsServer
{
public:
	static const unsigned BatchSize = 32;                     ///< datagrams per recvmmsg/sendmmsg
	static const std::size_t MaxQuerySize = 4096;             ///< larger datagrams get FORMERR
	static const std::size_t SocketBufferSize = 1 << 20;      ///< SO_RCVBUF per worker socket
	static constexpr std::chrono::milliseconds StopPoll{200}; ///< how soon a worker sees stop()

	DnsServer(const Poco::Net::SocketAddress& address, unsigned workers, std::shared_ptr<const ZoneIndex> zone);
	~DnsServer();
	DnsServer(const DnsServer&) = delete;
	DnsServer& operator=(const DnsServer&) = delete;

	void start();
	/// Binds every worker's socket and the TCP listener and starts the threads. Throws
	/// Poco::IOException when the address cannot be bound (port 0 binds a port free for
	/// both UDP and TCP, see address()).
	void stop();
	/// Stops and joins the workers; idempotent.

	void setJournal(QueryJournal* journal)
	{
		_journal = journal;
		_tcp.setJournal(journal);
	}
	/// Before start(): each reply sent is offered to it (dns.query events); null: none.

	void setFaults(DnsFaults* faults)
	{
		_faults = faults;
		_tcp.setFaults(faults);
	}
	/// `dns.faults` (dns_faults.h) applied to every reply; set before start(), or null.

	void setUpdates(UpdateHandler* updates)
	{
		_updates = updates;
		_tcp.setUpdates(updates);
	}
	/// Before start(): UPDATE messages go to it (dns.updates); null: NOTIMP, like any other opcode.

	void setBusyPoll(std::chrono::microseconds busyPoll) { _busyPoll = busyPoll; }
	/// Before start(): how long an idle worker yields and polls before it sleeps; 0 (the default): it sleeps at once.

	void setZone(std::shared_ptr<const ZoneIndex> zone);
	/// Publishes a new zone; every worker uses it from its next batch on.
	std::shared_ptr<const ZoneIndex> zone() const;

	Poco::Net::SocketAddress address() const { return _address; } ///< the bound address
	std::uint64_t queries() const;                                ///< datagrams and TCP queries so far (exact after stop())
	const TcpServer& tcp() const { return _tcp; }
	unsigned workers() const { return _workerCount; }

private:
	class Worker;

	std::shared_ptr<const ZoneIndex> currentZone(std::uint64_t& generation) const;

	Poco::Net::SocketAddress _address;
	unsigned _workerCount;
	mutable std::mutex _zoneMutex;
	std::shared_ptr<const ZoneIndex> _zone;
	std::atomic<std::uint64_t> _generation{0};
	std::atomic<bool> _stopping{false};
	std::chrono::microseconds _busyPoll{0};
	QueryJournal* _journal = nullptr;

	DnsFaults* _faults = nullptr;
	UpdateHandler* _updates = nullptr;
	std::uint64_t _stoppedQueries = 0; ///< answered by workers already stopped
	std::vector<std::unique_ptr<Worker>> _workers;
	std::vector<std::unique_ptr<Poco::Thread>> _threads;
	TcpServer _tcp;
};


} // namespace dns
} // namespace mail
