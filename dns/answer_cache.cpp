// answer_cache.cpp - a UDP worker's replies by question.
#include "dns/answer_cache.h"

#include "common/dns/dns_message.h"

#include <cstring>


namespace mail {
namespace dns {


namespace {


const std::size_t IdSize = 2;


} // namespace


AnswerCache::AnswerCache():
	_entries(new Entry[Slots])
{
}


std::size_t AnswerCache::slotOf(const std::uint8_t* query, std::size_t size)
{
	std::uint64_t hash = 14695981039346656037ull; // FNV-1a over the bytes after the ID
	for (std::size_t i = IdSize; i < size; ++i) hash = (hash ^ query[i]) * 1099511628211ull;
	return static_cast<std::size_t>(hash ^ (hash >> 32)) & (Slots - 1);
}


std::size_t AnswerCache::find(const std::uint8_t* query, std::size_t size, std::uint8_t* reply) const
{
	if (size < HeaderSize || size > MaxQuerySize) return 0;
	const Entry& e = _entries[slotOf(query, size)];
	if (e.querySize != size || std::memcmp(e.question, query + IdSize, size - IdSize) != 0) return 0;
	reply[0] = query[0];
	reply[1] = query[1];
	std::memcpy(reply + IdSize, e.reply + IdSize, e.replySize - IdSize);
	return e.replySize;
}


void AnswerCache::store(const std::uint8_t* query, std::size_t size, const std::uint8_t* reply, std::size_t length)
{
	if (size < HeaderSize || size > MaxQuerySize || length < HeaderSize || length > MaxReplySize) return;
	Entry& e = _entries[slotOf(query, size)];
	e.querySize = static_cast<std::uint16_t>(size);
	e.replySize = static_cast<std::uint16_t>(length);
	std::memcpy(e.question, query + IdSize, size - IdSize);
	std::memcpy(e.reply, reply, length);
}


void AnswerCache::clear()
{
	for (std::size_t i = 0; i < Slots; ++i) _entries[i].querySize = 0;
}


} // namespace dns
} // namespace mail
