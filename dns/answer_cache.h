// answer_cache.h - a UDP worker's replies by question: the query datagram (without its ID)
// to the reply answerQuery() made for it, so a question asked again costs a hash, a compare
// and a copy of the reply with the new ID patched in.
//
// One per worker thread (no lock, no allocation after construction): a direct-mapped table
// of Slots entries, a new entry replacing whatever held its slot. A reply is a function of
// the query's bytes and the zone alone, so the whole table is cleared whenever the worker
// takes a new zone (reload or UPDATE); nothing stale can be answered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>


namespace mail {
namespace dns {


class AnswerCache
{
public:
	static const std::size_t Slots = 256;        ///< a power of two
	static const std::size_t MaxQuerySize = 128; ///< longer queries are answered, not kept
	static const std::size_t MaxReplySize = 512; ///< longer replies (large EDNS answers) are not kept

	AnswerCache();

	std::size_t find(const std::uint8_t* query, std::size_t size, std::uint8_t* reply) const;
	/// The kept reply to a query with the same bytes after the ID, copied into reply with
	/// the query's ID; 0 when none is kept. reply needs MaxReplySize octets.

	void store(const std::uint8_t* query, std::size_t size, const std::uint8_t* reply, std::size_t length);
	/// Keeps reply (length octets) as the answer to query; ignored when either is too long
	/// or shorter than a DNS header.

	void clear(); ///< forgets every reply (the zone changed)

private:
	struct Entry
	{
		std::uint16_t querySize = 0; ///< 0: empty
		std::uint16_t replySize = 0;
		std::uint8_t question[MaxQuerySize - 2]; ///< the query after its ID
		std::uint8_t reply[MaxReplySize];
	};

	static std::size_t slotOf(const std::uint8_t* query, std::size_t size);

	std::unique_ptr<Entry[]> _entries;
};


} // namespace dns
} // namespace mail
