// journal_lookup.h - the relay's DNS lookups as dns.lookup events of the message they route.
#pragma once

#include "common/journal.h"
#include "common/name_lookup.h"
#include "server/journal/message_scope.h"

#include <string>


namespace mail {


class JournalLookup: public NameLookup
/// A NameLookup in front of the relay's cache that records every MX, P and A answer
/// (name, type, answer, rcode, the DNS server, milliseconds, whether the cache answered)
/// with the ids of the message the calling thread is routing (MessageScope). Thread-safe.
{
public:
	JournalLookup(const NameLookup& upstream, Journal* journal, std::string dnsServer);
	/// journal null: passes every query through untouched.

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override;
	LookupResult<std::uint16_t> port(const std::string& name) const override;
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override;

private:
	void record(const std::string& name, const char* qtype, LookupStatus status, const std::vector<std::string>& answer,
		std::int64_t micros, bool cached) const;

	const NameLookup& _upstream;
	Journal* _journal;
	std::string _dnsServer;
};


bool answeredFromCache();
/// Whether this thread's last CachingLookup query was answered from the cache
/// (server/relay/dns_cache.cpp sets it).
void setAnsweredFromCache(bool cached);


} // namespace mail
