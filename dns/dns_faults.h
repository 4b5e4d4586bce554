// dns_faults.h - `dns.faults` rules: answers that go wrong on purpose, per name and type.
//
// The workers call apply() on a reply answerQuery() made, only when active() (one relaxed
// atomic load). A fault rewrites it into SERVFAIL, REFUSED or NXDOMAIN (header and
// question kept, no records), drops it (the client times out), or asks for it to be
// sent later (delay). Rules change while running: `mail-dns fault add|list|clear` and
// SIGHUP (replace from the config).
#pragma once

#include "common/config/config_faults.h"
#include "common/ops/fault_gate.h"

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>


namespace mail {
namespace dns {


struct DnsFaultStatus
{
	DnsFaultRule rule;
	std::uint64_t hits = 0;
};


class DnsFaults
{
public:
	static constexpr std::size_t kMaxDelayed = 10000; ///< replies waiting at once; more are dropped

	explicit DnsFaults(const DnsFaultsConfig& config = {});
	~DnsFaults();
	DnsFaults(const DnsFaults&) = delete;
	DnsFaults& operator=(const DnsFaults&) = delete;

	bool active() const { return _active.load(std::memory_order_relaxed); }

	std::size_t apply(std::uint8_t* reply, std::size_t length, Seconds& delay);
	/// The reply as the first matching rule that fires makes it: its new length (0: send
	/// nothing). delay is set (else 0s) when the reply, as returned, is to go out later.
	/// Only NOERROR and NXDOMAIN answers are faulted; protocol errors stay as they are.

	void sendLater(int fd, const sockaddr_storage& peer, socklen_t peerLength, const std::uint8_t* reply,
		std::size_t length, Seconds delay);
	/// A delayed UDP reply, sent on fd by this object's thread when due (dropped at stop).
	void stop(); ///< joins the delay thread; call before the sockets close

	void replace(const DnsFaultsConfig& config);
	void add(const DnsFaultRule& rule);
	void clear();
	std::vector<DnsFaultStatus> list() const;

private:
	struct Installed
	{
		DnsFaultRule rule;
		FaultGate gate;
	};
	struct Delayed
	{
		int fd;
		sockaddr_storage peer;
		socklen_t peerLength;
		std::vector<std::uint8_t> reply;
	};

	void sendDue();

	mutable std::mutex _mutex;
	std::vector<Installed> _rules;
	FaultDice _dice;
	std::atomic<bool> _active{false};

	std::mutex _delayMutex;
	std::condition_variable _delayWake;
	std::multimap<FaultClock::time_point, Delayed> _delayed;
	bool _stopping = false;
	std::thread _delayThread;
};


std::string handleDnsFaultRequest(DnsFaults& faults, const std::string& request);
/// The control socket's response (common/ops/control_socket.h) to `fault add RULE-YAML`,
/// `fault list` or `fault clear`.


} // namespace dns
} // namespace mail
