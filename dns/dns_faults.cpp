// dns_faults.cpp - evaluating `dns.faults` rules on replies, and sending delayed ones.
#include "dns/dns_faults.h"

#include "common/dns/dns_message.h"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <stdexcept>


namespace mail {
namespace dns {


namespace {


void putU16(std::uint8_t* at, std::uint16_t value)
{
	at[0] = static_cast<std::uint8_t>(value >> 8);
	at[1] = static_cast<std::uint8_t>(value & 0xFF);
}


std::size_t rewrite(std::uint8_t* reply, std::size_t questionEnd, Rcode rcode)
/// Header and question only, with rcode: what a server that cannot or will not answer says.
{
	reply[3] = static_cast<std::uint8_t>((reply[3] & 0xF0) | rcode);
	putU16(reply + 6, 0);
	putU16(reply + 8, 0);
	putU16(reply + 10, 0);
	return questionEnd;
}


} // namespace


DnsFaults::DnsFaults(const DnsFaultsConfig& config):
	_dice(config.seed)
{
	replace(config);
	_delayThread = std::thread([this] { sendDue(); });
}


DnsFaults::~DnsFaults()
{
	stop();
}


std::size_t DnsFaults::apply(std::uint8_t* reply, std::size_t length, Seconds& delay)
{
	delay = Seconds(0);
	WireReader reader(reply, length);
	Header header;
	WireName name;
	std::uint16_t type = 0;
	std::uint16_t klass = 0;
	if (!reader.header(header) || header.qdCount != 1 || !reader.name(name) || !reader.u16(type) || !reader.u16(klass))
		return length;
	if (header.rcode() != RcodeNoError && header.rcode() != RcodeNxDomain) return length;
	name.toLower();
	const std::string dotted = name.toDotted();
	const FaultClock::time_point now = FaultClock::now();
	std::unique_lock<std::mutex> lock(_mutex);
	for (std::size_t i = 0; i < _rules.size(); ++i)
	{
		Installed& installed = _rules[i];
		const DnsFaultRule& rule = installed.rule;
		if ((rule.type && rule.type != type) || !faultPatternMatches(rule.name, dotted) || !installed.gate.open(now)) continue;
		if (!_dice.roll(rule.limits.probability)) continue;
		++installed.gate.hits;
		// copied before the lock goes: a replace() or clear() may then free the rule
		const DnsFaultAction action = rule.action;
		const Seconds ruleDelay = rule.delay;
		lock.unlock();
		Poco::Logger::get("dns").warning("- fault fired name=%s type=%hu rule=%z action=%s", dotted, type, i + 1,
			std::string(toString(action)));
		switch (action)
		{
		case DnsFaultAction::Servfail: return rewrite(reply, reader.offset(), RcodeServFail);
		case DnsFaultAction::Refused: return rewrite(reply, reader.offset(), RcodeRefused);
		case DnsFaultAction::Nxdomain: return rewrite(reply, reader.offset(), RcodeNxDomain);
		case DnsFaultAction::Drop: return 0;
		case DnsFaultAction::Delay: delay = ruleDelay; return length;
		}
	}
	return length;
}


void DnsFaults::sendLater(int fd, const sockaddr_storage& peer, socklen_t peerLength, const std::uint8_t* reply,
	std::size_t length, Seconds delay)
{
	std::lock_guard<std::mutex> lock(_delayMutex);
	if (_stopping || _delayed.size() >= kMaxDelayed) return;
	_delayed.emplace(FaultClock::now() + delay, Delayed{fd, peer, peerLength, {reply, reply + length}});
	_delayWake.notify_one();
}


void DnsFaults::sendDue()
{
	std::unique_lock<std::mutex> lock(_delayMutex);
	while (!_stopping)
	{
		if (_delayed.empty())
		{
			_delayWake.wait(lock);
			continue;
		}
		const auto due = _delayed.begin()->first;
		if (FaultClock::now() < due)
		{
			_delayWake.wait_until(lock, due);
			continue;
		}
		const Delayed item = std::move(_delayed.begin()->second);
		_delayed.erase(_delayed.begin());
		lock.unlock();
		::sendto(item.fd, item.reply.data(), item.reply.size(), MSG_NOSIGNAL,
			reinterpret_cast<const sockaddr*>(&item.peer), item.peerLength);
		lock.lock();
	}
}


void DnsFaults::stop()
{
	{
		std::lock_guard<std::mutex> lock(_delayMutex);
		_stopping = true;
		_delayed.clear();
	}
	_delayWake.notify_all();
	if (_delayThread.joinable()) _delayThread.join();
}


void DnsFaults::replace(const DnsFaultsConfig& config)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_rules.clear();
	for (const auto& rule: config.rules) _rules.push_back({rule, FaultGate(rule.limits)});
	if (config.seed) _dice.reseed(config.seed);
	_active = !_rules.empty();
}


void DnsFaults::add(const DnsFaultRule& rule)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_rules.push_back({rule, FaultGate(rule.limits)});
	_active = true;
}


void DnsFaults::clear()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_rules.clear();
	_active = false;
}


std::vector<DnsFaultStatus> DnsFaults::list() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<DnsFaultStatus> out;
	for (const auto& installed: _rules) out.push_back({installed.rule, installed.gate.hits});
	return out;
}


std::string handleDnsFaultRequest(DnsFaults& faults, const std::string& request)
{
	std::string usage = "error unknown request (fault add RULE-YAML | fault list | fault clear)\n";
	if (request.rfind("fault ", 0) != 0) return usage;
	const std::string rest = Poco::trim(request.substr(6));
	const std::string verb = rest.substr(0, rest.find(' '));
	const std::string argument = Poco::trim(rest.substr(verb.size()));
	if (verb == "list" && argument.empty())
	{
		const auto rules = faults.list();
		std::string out = rules.empty() ? "no fault rules\n" : "";
		for (std::size_t i = 0; i < rules.size(); ++i)
			out += std::to_string(i + 1) + " hits=" + std::to_string(rules[i].hits) + " " + toYaml(rules[i].rule) + "\n";
		return "ok\n" + out;
	}
	if (verb == "clear" && argument.empty())
	{
		const std::size_t count = faults.list().size();
		faults.clear();
		return "ok\n" + std::to_string(count) + " fault rules cleared\n";
	}
	if (verb != "add" || argument.empty()) return usage;
	try
	{
		const DnsFaultRule rule = parseDnsFaultRule(argument);
		faults.add(rule);
		return "ok\nadded " + toYaml(rule) + "\n";
	}
	catch (const std::invalid_argument& exc)
	{
		return "error " + std::string(exc.what()) + "\n";
	}
}


} // namespace dns
} // namespace mail
