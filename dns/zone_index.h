// zone_index.h - immutable lookup table from (wire name, type) to precomputed answer records.
//
// Built once per zone load; the daemon's workers share it read-only and a reload swaps in
// a new one. Each answer record is stored as finished wire bytes whose owner name is the
// compression pointer 0xC00C (the question name of the reply), so answering is a copy.
#pragma once

#include "common/dns/dns_message.h"
#include "common/config/zone.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>


namespace mail {
namespace dns {


struct Answer
/// Records of one type for one name, ready to append after the question.
{
	std::string bytes;       ///< concatenated RRs, owner 0xC00C
	std::uint16_t count = 0; ///< number of RRs in bytes
};


struct NameEntry
{
	std::string key; ///< lower-case wire name
	Answer a;        ///< the A records, or 127.0.0.1 when the name has a P record and no A record
	Answer mx;
	Answer p;
	Answer srv;
	Answer any; ///< all of the above (answer to a type ANY query)
};


class ZoneIndex
{
public:
	static const std::uint32_t DefaultTtl = kDefaultZoneTtl; ///< seconds; short, so a reload is seen soon

	explicit ZoneIndex(const Zone& zone);
	/// Each RRset answers with zone.ttlOf() (an UPDATE's TTL, else DefaultTtl); the A record
	/// of a P name without A takes the P record's TTL. Throws WireFormatError if a zone
	/// name cannot be encoded (loadZone rejects those).
	ZoneIndex(const ZoneIndex&) = delete; ///< _byName holds views into _entries
	ZoneIndex& operator=(const ZoneIndex&) = delete;

	const NameEntry* find(std::string_view lowerWireName) const;
	/// Null for an unknown name. No allocation.
	const Answer* find(const NameEntry& entry, std::uint16_t type) const;
	/// Null for a type the daemon does not serve.

	std::size_t names() const { return _entries.size(); }

private:
	std::vector<NameEntry> _entries;
	std::unordered_map<std::string_view, std::size_t> _byName; ///< views into _entries[i].key
};


} // namespace dns
} // namespace mail
