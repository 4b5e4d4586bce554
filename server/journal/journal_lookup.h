// journal_lookup.h - the relay's DNS lookups as dns.lookup events of the message they route.
#pragma once

#include "common/journal.h"
#include "common/name_lookup.h"
#include "server/mail/message_ids.h"

#include <string>


namespace mail {


class JournalLookup: public NameLookup
/// A NameLookup in front of the relay's cache, made for routing one message: records
/// every MX, P and A answer (name, type, answer, rcode, the DNS server, milliseconds,
/// whether the cache answered: LookupResult::cached) with that message's ids.
{
public:
	JournalLookup(const NameLookup& upstream, Journal* journal, std::string dnsServer, MessageIds ids);
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
	MessageIds _ids;
};


} // namespace mail
