// journal_lookup.cpp - recording the relay's DNS answers as dns.lookup events.
#include "server/journal/journal_lookup.h"
#include "common/event_catalogue.h"
#include "server/journal/message_link.h"

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


template <typename Ask>
auto timed(Ask ask, std::int64_t& micros)
{
	const auto start = std::chrono::steady_clock::now();
	auto result = ask();
	micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
	return result;
}


} // namespace


JournalLookup::JournalLookup(const NameLookup& upstream, Journal* journal, std::string dnsServer, MessageIds ids):
	_upstream(upstream),
	_journal(journal),
	_dnsServer(std::move(dnsServer)),
	_ids(std::move(ids))
{
}


void JournalLookup::record(const std::string& name, const char* qtype, LookupStatus status,
	const std::vector<std::string>& answer, std::int64_t micros, bool cached) const
{
	JournalEvent event(events::kDnsLookup);
	linkMessage(event, _ids);
	event.str("name", name).str("qtype", qtype).list("answer", answer).str("rcode", rcodeOf(status));
	event.str("dns_server", _dnsServer).num("ms", (micros + 500) / 1000).flag("cached", cached);
	_journal->record(event);
}


LookupResult<std::vector<MxRecord>> JournalLookup::mx(const std::string& name) const
{
	if (!_journal) return _upstream.mx(name);
	std::int64_t micros = 0;
	auto result = timed([&] { return _upstream.mx(name); }, micros);
	std::vector<std::string> answer;
	for (const MxRecord& mx: result.value) answer.push_back(std::to_string(mx.preference) + " " + mx.host);
	record(name, "MX", result.status, answer, micros, result.cached);
	return result;
}


LookupResult<std::uint16_t> JournalLookup::port(const std::string& name) const
{
	if (!_journal) return _upstream.port(name);
	std::int64_t micros = 0;
	auto result = timed([&] { return _upstream.port(name); }, micros);
	std::vector<std::string> answer;
	if (result.ok()) answer.push_back(std::to_string(result.value));
	record(name, "P", result.status, answer, micros, result.cached);
	return result;
}


LookupResult<std::vector<std::uint32_t>> JournalLookup::a(const std::string& name) const
{
	if (!_journal) return _upstream.a(name);
	std::int64_t micros = 0;
	auto result = timed([&] { return _upstream.a(name); }, micros);
	std::vector<std::string> answer;
	for (std::uint32_t address: result.value) answer.push_back(formatIpv4(address));
	record(name, "A", result.status, answer, micros, result.cached);
	return result;
}


} // namespace mail
