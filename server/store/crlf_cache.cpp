// crlf_cache.cpp - the wire form of messages POP3 and IMAP send more than once, kept in memory.
#include "server/store/crlf_cache.h"

#include "server/message/dot_stuffing.h"
#include "server/message/line_ends.h"
#include "server/message/message_id.h"

#include <cerrno>

#include <sys/stat.h>
#include <unistd.h>


namespace mail {


namespace {


bool readOpen(int fd, std::size_t expected, std::string& scratch)
/// The whole file: one read for its size (from fstat) plus one octet; more only when it grew.
{
	scratch.resize(expected + 1);
	std::size_t have = 0;
	for (;;)
	{
		if (have == scratch.size()) scratch.resize(scratch.size() * 2);
		const ssize_t n = ::read(fd, &scratch[have], scratch.size() - have);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) return false;
		if (n == 0) break;
		have += static_cast<std::size_t>(n);
		// A regular file's read comes back short only at its end: no second read for the 0.
		if (have < scratch.size()) break;
	}
	scratch.resize(have);
	return true;
}


} // namespace


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


namespace {


template <typename Stamp>
void stampFrom(const struct stat& st, Stamp& stamp)
{
	stamp.device = st.st_dev;
	stamp.inode = st.st_ino;
	stamp.size = static_cast<unsigned long long>(st.st_size);
	stamp.changedNs = static_cast<unsigned long long>(st.st_ctim.tv_sec) * 1000000000ULL + static_cast<unsigned long long>(st.st_ctim.tv_nsec);
}


} // namespace


bool CrlfCache::stampAt(int dirFd, const char* name, FileStamp& stamp)
{
	struct stat st;
	if (::fstatat(dirFd, name, &st, 0) != 0) return false;
	stampFrom(st, stamp);
	return true;
}


std::shared_ptr<CrlfText> CrlfCache::convert(const char* data, std::size_t length, bool lfStored)
{
	auto text = std::make_shared<CrlfText>();
	appendCrlf(text->text, data, length, lfStored);
	text->dotLines = !text->text.empty() && (text->text.front() == '.' || text->text.find("\n.") != std::string::npos);
	// Kept stuffed too (most mail has no such line): RETR then sends either without a copy.
	if (text->dotLines) appendDotStuffed(text->stuffed, text->text.data(), text->text.size());
	text->messageId = messageIdIn(text->text);
	return text;
}


std::shared_ptr<const CrlfText> CrlfCache::load(const File& file, std::string& scratch)
{
	if (std::shared_ptr<const CrlfText> kept = find(file)) return kept;
	const int fd = ::openat(file.dirFd, file.name ? file.name : file.path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) return nullptr;
	struct stat st;
	FileStamp stamp;
	bool read = ::fstat(fd, &st) == 0;
	if (read)
	{
		stampFrom(st, stamp);
		read = readOpen(fd, static_cast<std::size_t>(st.st_size), scratch);
	}
	const int error = errno;
	::close(fd);
	if (!read)
	{
		errno = error;
		return nullptr;
	}
	std::shared_ptr<const CrlfText> text = convert(scratch.data(), scratch.size(), file.lfStored);
	keepStamped(file.path, text, stamp);
	return text;
}


std::shared_ptr<const CrlfText> CrlfCache::find(const File& file)
{
	FileStamp now;
	const bool exists = file.inode != 0 || stampAt(file.dirFd, file.name ? file.name : file.path.c_str(), now);
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(file.path);
	if (it == _entries.end()) return nullptr;
	const bool same = file.inode != 0 ? it->second.stamp.inode == file.inode : it->second.stamp == now;
	if (!exists || !same)
	{
		drop(it);
		return nullptr;
	}
	_ages.splice(_ages.begin(), _ages, it->second.age);
	return it->second.text;
}


void CrlfCache::keep(const std::string& path, std::shared_ptr<const CrlfText> text)
{
	FileStamp stamp;
	if (stampAt(AT_FDCWD, path.c_str(), stamp)) keepStamped(path, std::move(text), stamp);
}


void CrlfCache::keepStamped(const std::string& path, std::shared_ptr<const CrlfText> text, const FileStamp& stamp)
{
	if (!text || text->bytes() > _maxBytes / 4) return;
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(path);
	if (it != _entries.end()) drop(it);
	while (!_ages.empty() && _bytes + text->bytes() > _maxBytes) drop(_entries.find(_ages.back()));
	_bytes += text->bytes();
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
	_bytes -= it->second.text->bytes();
	_ages.erase(it->second.age);
	_entries.erase(it);
}


} // namespace mail
