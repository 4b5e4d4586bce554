// crlf_cache.cpp - the wire form of messages POP3 sends more than once, kept in memory.
#include "server/store/crlf_cache.h"


namespace mail {


CrlfCache::CrlfCache(std::size_t maxBytes):
	_maxBytes(maxBytes)
{
}


CrlfCache& CrlfCache::shared()
{
	static CrlfCache cache(kMaxBytes);
	return cache;
}


std::shared_ptr<const std::string> CrlfCache::find(const std::string& path)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(path);
	if (it == _entries.end()) return nullptr;
	_ages.splice(_ages.begin(), _ages, it->second.age);
	return it->second.text;
}


void CrlfCache::keep(const std::string& path, std::shared_ptr<const std::string> text)
{
	if (!text || text->size() > _maxBytes / 4) return;
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(path);
	if (it != _entries.end()) drop(it);
	while (!_ages.empty() && _bytes + text->size() > _maxBytes) drop(_entries.find(_ages.back()));
	_bytes += text->size();
	_ages.push_front(path);
	_entries.emplace(path, Entry{std::move(text), _ages.begin()});
}


void CrlfCache::forget(const std::string& path)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(path);
	if (it != _entries.end()) drop(it);
}


std::size_t CrlfCache::bytes() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _bytes;
}


void CrlfCache::drop(std::unordered_map<std::string, Entry>::iterator it)
{
	_bytes -= it->second.text->size();
	_ages.erase(it->second.age);
	_entries.erase(it);
}


} // namespace mail
