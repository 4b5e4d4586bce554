// lookup_events.h - the relay's DNS lookups for one message, each one a dns.lookup event of it.
#pragma once

#include "common/lookup/name_lookup.h"
#include "server/mail/mail_events.h"


namespace mail {


class LookupEvents: public NameLookup
/// A NameLookup in front of the relay's cache, made for routing one message: passes each
/// MX, P and A query on and records its answer (name, type, answer, rcode, milliseconds,
/// whether the cache answered: LookupResult::cached) as events.dnsLookup with that
/// message's ids. With events off it only passes the queries on.
{
public:
	LookupEvents(const NameLookup& upstream, MailEvents& events, const MessageIds& ids);
	///< upstream, events and ids must outlive it (it lives for one route() call).

	LookupResult<std::vector<MxRecord>> mx(const std::string& name) const override;
	LookupResult<std::uint16_t> port(const std::string& name) const override;
	LookupResult<std::vector<std::uint32_t>> a(const std::string& name) const override;

private:
	template <typename T, typename Ask, typename Answer>
	LookupResult<T> recorded(const std::string& name, const char* qtype, Ask ask, Answer answer) const;

	const NameLookup& _upstream;
	MailEvents& _events;
	const MessageIds& _ids;
};


} // namespace mail
