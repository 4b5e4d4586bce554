// dns_registrar.cpp - dns.register: keeps the provider's records published in a real DNS server.
#include "server/registry/dns_registrar.h"

#include "common/dns/tsig.h"
#include "server/registry/registration_update.h"

#include <Poco/Logger.h>
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Random.h>

#include <ctime>

using Poco::Logger;


namespace mail {


namespace {


const char* rcodeName(unsigned rcode)
{
	static const char* const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
		"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
	return rcode < sizeof names / sizeof names[0] ? names[rcode] : "?";
}


} // namespace


DnsRegistrar::DnsRegistrar(const ServerConfig& server):
	_server(server), _thread("dns-register")
{
}


DnsRegistrar::~DnsRegistrar()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.isRunning()) _thread.join();
}


void DnsRegistrar::start()
{
	for (const auto& name: namesOutsideZone(_server))
		Logger::get("app").warning("- dns register skips name=%s outside zone=%s", name, _server.registration.zone);
	_thread.start(*this);
}


void DnsRegistrar::update(const ServerConfig& next)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_server = next;
		_pending = true;
	}
	_wake.notify_all();
}


void DnsRegistrar::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.isRunning()) _thread.join();
	const ServerConfig server = _server;
	if (!server.registration.enabled || server.registration.keepOnShutdown) return;
	std::string error;
	for (unsigned attempt = 1; attempt <= WithdrawTries; ++attempt)
	{
		if (send(server, true, error))
		{
			Logger::get("app").information("- dns withdrawn zone=%s server=%s:%hu", server.registration.zone,
				server.registration.host, server.registration.port);
			return;
		}
		Logger::get("app").warning("- dns withdraw failed attempt=%u zone=%s error=%s", attempt, server.registration.zone, error);
	}
}


void DnsRegistrar::run()
{
	std::chrono::seconds backoff = FirstRetry;
	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		_wake.wait(lock, [this] { return _stopping || _pending; });
		if (_stopping) return;
		_pending = false;
		const ServerConfig server = _server;
		lock.unlock();
		std::string error;
		const bool ok = server.registration.enabled && send(server, false, error);
		lock.lock();
		if (!server.registration.enabled) continue;
		if (ok)
		{
			Logger::get("app").information("- dns registered zone=%s host=%s server=%s:%hu", server.registration.zone,
				registeredHost(server), server.registration.host, server.registration.port);
			backoff = FirstRetry;
			continue;
		}
		Logger::get("app").warning("- dns register failed zone=%s server=%s:%hu retry=%ss error=%s", server.registration.zone,
			server.registration.host, server.registration.port, std::to_string(backoff.count()), error);
		// Wait out the backoff unless stopped or given a new configuration (which is tried at once).
		if (!_wake.wait_for(lock, backoff, [this] { return _stopping || _pending; })) _pending = true;
		backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::seconds>(MaxRetry));
	}
}


bool DnsRegistrar::send(const ServerConfig& server, bool withdraw, std::string& error)
{
	const DnsRegisterConfig& r = server.registration;
	try
	{
		Poco::Random random;
		random.seed();
		const auto id = static_cast<std::uint16_t>(random.next(0x10000));
		std::vector<std::uint8_t> request = dns::encodeMessage(registrationUpdate(server, id, withdraw));
		const auto requestMac = dns::signTsig(request, r.key, static_cast<std::uint64_t>(std::time(nullptr)));

		const Poco::Net::SocketAddress to(r.host, r.port);
		Poco::Net::DatagramSocket socket(to.family());
		socket.connect(to);
		socket.sendBytes(request.data(), static_cast<int>(request.size()));
		const auto deadline = std::chrono::steady_clock::now() + ReplyTimeout;
		std::uint8_t reply[4096];
		for (;;)
		{
			const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
			if (left.count() <= 0) return error = "no reply within " + std::to_string(ReplyTimeout.count()) + " ms", false;
			socket.setReceiveTimeout(Poco::Timespan(left.count()));
			const int n = socket.receiveBytes(reply, sizeof reply);
			if (n < static_cast<int>(dns::HeaderSize) || reply[0] != (id >> 8) || reply[1] != (id & 0xFF)) continue;
			const unsigned rcode = reply[3] & 0xF;
			const dns::TsigCheck check = dns::verifyTsig(
				reply, static_cast<std::size_t>(n),
				[&r](const std::string& name) { return name == r.key.name ? &r.key : nullptr; },
				static_cast<std::uint64_t>(std::time(nullptr)), requestMac);
			if (rcode != dns::RcodeNoError)
				return error = std::string("refused rcode=") + rcodeName(rcode) + " tsig=" + dns::toString(check.status), false;
			if (check.status != dns::TsigStatus::Ok)
				return error = std::string("reply not signed by the key: tsig=") + dns::toString(check.status), false;
			return true;
		}
	}
	catch (const Poco::TimeoutException&)
	{
		error = "no reply within " + std::to_string(ReplyTimeout.count()) + " ms";
	}
	catch (const Poco::Exception& exc)
	{
		error = exc.displayText();
	}
	catch (const dns::WireFormatError& exc)
	{
		error = std::string("cannot encode the update: ") + exc.what();
	}
	return false;
}


} // namespace mail
