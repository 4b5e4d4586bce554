// lookup_events.cpp - recording the relay's DNS answers as dns.lookup events.
#include "server/relay/lookup_events.h"

#include <chrono>


namespace mail {


namespace {


const char* rcodeOf(LookupStatus status)
{
	switch (status)
	{
	case LookupStatus::Ok:
	case LookupStatus::NoData: return "NOERROR";
	case LookupStatus::NxDomain: return "NXDOMAIN";
	case LookupStatus::Timeout: return "TIMEOUT";
	case LookupStatus::Failure: return "SERVFAIL";
	}
	return "SERVFAIL";
}


} // namespace


LookupEvents::LookupEvents(const NameLookup& upstream, MailEvents& events, const MessageIds& ids):
	_upstream(upstream),
	_events(events),
	_ids(ids)
{
}


template <typename T, typename Ask, typename Answer>
LookupResult<T> LookupEvents::recorded(const std::string& name, const char* qtype, Ask ask, Answer answer) const
{
	if (!_events.enabled()) return ask();
	const auto start = std::chrono::steady_clock::now();
	LookupResult<T> result = ask();
	const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
	DnsLookupEvent event;
	event.name = name;
	event.qtype = qtype;
	event.answer = answer(result);
	event.rcode = rcodeOf(result.status);
	event.ms = (micros + 500) / 1000;
	event.cached = result.cached;
	_events.dnsLookup(_ids, event);
	return result;
}


LookupResult<std::vector<MxRecord>> LookupEvents::mx(const std::string& name) const
{
	return recorded<std::vector<MxRecord>>(
		name, "MX", [&] { return _upstream.mx(name); },
		[](const LookupResult<std::vector<MxRecord>>& result) {
			std::vector<std::string> answer;
			for (const MxRecord& mx: result.value) answer.push_back(std::to_string(mx.preference) + " " + mx.host);
			return answer;
		});
}


LookupResult<std::uint16_t> LookupEvents::port(const std::string& name) const
{
	return recorded<std::uint16_t>(
		name, "P", [&] { return _upstream.port(name); },
		[](const LookupResult<std::uint16_t>& result) {
			std::vector<std::string> answer;
			if (result.ok()) answer.push_back(std::to_string(result.value));
			return answer;
		});
}


LookupResult<std::vector<std::uint32_t>> LookupEvents::a(const std::string& name) const
{
	return recorded<std::vector<std::uint32_t>>(
		name, "A", [&] { return _upstream.a(name); },
		[](const LookupResult<std::vector<std::uint32_t>>& result) {
			std::vector<std::string> answer;
			for (std::uint32_t address: result.value) answer.push_back(formatIpv4(address));
			return answer;
		});
}


} // namespace mail
