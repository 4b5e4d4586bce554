// pinger.h - `mail-agent ping`: ICMP echo requests, one line per reply, loss and rtt summary.
#pragma once

#include "agent/icmp/icmp_socket.h"

#include <Poco/Net/IPAddress.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>


namespace mail {


struct PingOptions
{
	unsigned count = 4;           ///< -c
	double interval = 1.0;        ///< -i, seconds between requests
	double timeout = 1.0;         ///< -W, seconds to wait for each reply
	std::size_t payloadSize = 56; ///< data bytes after the ICMP header (iputils' default)
};


class PingStats
/// Transmitted/received counts and round-trip times in milliseconds.
{
public:
	void sent() { ++_transmitted; }
	void received(double ms) { _rtts.push_back(ms); }

	unsigned transmitted() const { return _transmitted; }
	std::size_t receivedCount() const { return _rtts.size(); }
	double lossPercent() const;
	double min() const;
	double avg() const;
	double max() const;
	double stdev() const; ///< population standard deviation (iputils' mdev)

	void summary(const std::string& host, std::ostream& out) const;
	/// "--- HOST ping statistics ---", counts with loss, and
	/// "rtt min/avg/max/stdev = a/b/c/d ms" (omitted when nothing came back).

private:
	unsigned _transmitted = 0;
	std::vector<double> _rtts;
};


std::string formatMs(double ms);
///< Two decimals: 0.0456 -> "0.05".

int ping(IcmpSocket& socket, const std::string& host, const Poco::Net::IPAddress& address,
	const PingOptions& options, std::ostream& out);
/// Sends options.count requests; returns 0 when at least one reply came back, else 1.


} // namespace mail
