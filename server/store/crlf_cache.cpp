// crlf_cache.cpp - the wire form of messages POP3 sends more than once, kept in memory.
#include "server/store/crlf_cache.h"

#include <sys/stat.h>


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


bool CrlfCache::FileStamp::operator==(const FileStamp& other) const
{
	return device == other.device && inode == other.inode && size == other.size && changedNs == other.changedNs;
}


bool CrlfCache::stampOf(const std::string& path, FileStamp& stamp)
{
	struct stat st;
	if (::stat(path.c_str(), &st) != 0) return false;
	stamp.device = st.st_dev;
	stamp.inode = st.st_ino;
	stamp.size = static_cast<unsigned long long>(st.st_size);
	stamp.changedNs = static_cast<unsigned long long>(st.st_ctim.tv_sec) * 1000000000ULL + static_cast<unsigned long long>(st.st_ctim.tv_nsec);
	return true;
}


std::shared_ptr<const std::string> CrlfCache::find(const std::string& path)
{
	FileStamp now;
	const bool exists = stampOf(path, now);
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(path);
	if (it == _entries.end()) return nullptr;
	if (!exists || !(it->second.stamp == now))
	{
		drop(it);
		return nullptr;
	}
	_ages.splice(_ages.begin(), _ages, it->second.age);
	return it->second.text;
}


void CrlfCache::keep(const std::string& path, std::shared_ptr<const std::string> text)
{
	if (!text || text->size() > _maxBytes / 4) return;
	FileStamp stamp;
	if (!stampOf(path, stamp)) return;
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(path);
	if (it != _entries.end()) drop(it);
	while (!_ages.empty() && _bytes + text->size() > _maxBytes) drop(_entries.find(_ages.back()));
	_bytes += text->size();
	_ages.push_front(path);
	_entries.emplace(path, Entry{std::move(text), stamp, _ages.begin()});
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
