// pinger.cpp - ICMP echo loop with per-reply lines and the statistics summary.
#include "agent/icmp/pinger.h"

#include "agent/icmp/icmp_probe.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>


using Poco::Net::IPAddress;


namespace mail {


double PingStats::lossPercent() const
{
	if (_transmitted == 0) return 0.0;
	return 100.0 * double(_transmitted - _rtts.size()) / double(_transmitted);
}


double PingStats::min() const
{
	return _rtts.empty() ? 0.0 : *std::min_element(_rtts.begin(), _rtts.end());
}


double PingStats::max() const
{
	return _rtts.empty() ? 0.0 : *std::max_element(_rtts.begin(), _rtts.end());
}


double PingStats::avg() const
{
	return _rtts.empty() ? 0.0 : std::accumulate(_rtts.begin(), _rtts.end(), 0.0) / double(_rtts.size());
}


double PingStats::stdev() const
{
	if (_rtts.empty()) return 0.0;
	double mean = avg(), sum = 0.0;
	for (double v: _rtts) sum += (v - mean) * (v - mean);
	return std::sqrt(sum / double(_rtts.size()));
}


void PingStats::summary(const std::string& host, std::ostream& out) const
{
	char loss[32];
	std::snprintf(loss, sizeof(loss), "%.1f", lossPercent());
	std::string lossText(loss);
	if (lossText.size() > 2 && lossText.compare(lossText.size() - 2, 2, ".0") == 0)
		lossText.resize(lossText.size() - 2);
	out << "--- " << host << " ping statistics ---\n"
		<< _transmitted << " packets transmitted, " << _rtts.size() << " received, "
		<< lossText << "% packet loss\n";
	if (!_rtts.empty())
		out << "rtt min/avg/max/stdev = " << formatMs(min()) << "/" << formatMs(avg()) << "/"
			<< formatMs(max()) << "/" << formatMs(stdev()) << " ms\n";
}


std::string formatMs(double ms)
{
	char text[32];
	std::snprintf(text, sizeof(text), "%.2f", ms);
	return text;
}


int ping(IcmpSocket& socket, const std::string& host, const IPAddress& address,
	const PingOptions& options, std::ostream& out)
{
	IcmpProbe probe(socket, address, options.payloadSize);
	out << "PING " << host << " (" << address.toString() << "): " << options.payloadSize
		<< " data bytes (" << socket.kind() << " ICMP socket)" << std::endl;
	PingStats stats;
	auto interval = std::chrono::duration<double>(options.interval);
	for (unsigned i = 1; i <= options.count; ++i)
	{
		auto sentAt = std::chrono::steady_clock::now();
		std::uint16_t sequence = static_cast<std::uint16_t>(i);
		stats.sent();
		ProbeResult result = probe.send(sequence, options.timeout);
		if (!result.reply)
			out << "Request timeout for icmp_seq=" << sequence << std::endl;
		else if (result.reply->kind == IcmpKind::EchoReply)
		{
			stats.received(result.rttMs);
			out << result.reply->icmpLength << " bytes from " << formatIpv4(result.reply->source)
				<< ": icmp_seq=" << sequence << " ttl=" << unsigned(result.reply->ttl)
				<< " time=" << formatMs(result.rttMs) << " ms" << std::endl;
		}
		else
			out << "From " << formatIpv4(result.reply->source) << " icmp_seq=" << sequence << " "
				<< describeIcmpError(result.reply->type, result.reply->code) << std::endl;
		if (i < options.count)
			std::this_thread::sleep_until(sentAt + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval));
	}
	stats.summary(host, out);
	return stats.receivedCount() > 0 ? 0 : 1;
}


} // namespace mail
