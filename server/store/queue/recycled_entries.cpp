// recycled_entries.cpp - finished queue entries kept for their inodes (recycled_entries.h).
#include "server/store/queue/recycled_entries.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


namespace mail {


namespace {


const char* const kFreeSuffix = ".free";


} // namespace


RecycledEntries::RecycledEntries(std::size_t keep, std::uint64_t maxSize):
	_keep(keep),
	_maxSize(maxSize)
{
}


bool RecycledEntries::isFree(const std::string& name)
{
	const std::string suffix(kFreeSuffix);
	return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}


bool RecycledEntries::retire(const std::string& directory, const std::string& path)
{
	struct stat st;
	if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) > _maxSize)
		return false;
	std::string name;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_retired.size() + _sealed + _reusable.size() >= _keep) return false;
		name = directory + "/" + std::to_string(_next++) + kFreeSuffix;
		// Counted before the rename, so concurrent retirements never pass keep.
		_retired.push_back(name);
	}
	if (::rename(path.c_str(), name.c_str()) == 0) return true;
	const int error = errno;
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto it = _retired.begin(); it != _retired.end(); ++it)
	{
		if (*it != name) continue;
		_retired.erase(it);
		break;
	}
	errno = error;
	return false;
}


std::vector<std::string> RecycledEntries::seal()
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<std::string> sealed;
	sealed.swap(_retired);
	_sealed += sealed.size();
	return sealed;
}


void RecycledEntries::ready(std::vector<std::string> sealed, bool synced)
{
	if (!synced)
	{
		for (const std::string& name: sealed) ::unlink(name.c_str());
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_sealed -= sealed.size();
	if (!synced) return;
	for (std::string& name: sealed) _reusable.push_back(std::move(name));
}


OpenFile RecycledEntries::reuse(const std::string& path)
{
	std::string name;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_reusable.empty()) return OpenFile();
		name = std::move(_reusable.back());
		_reusable.pop_back();
	}
	if (::rename(name.c_str(), path.c_str()) != 0)
	{
		::unlink(name.c_str());
		return OpenFile();
	}
	OpenFile file;
	file.fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (file.fd < 0)
	{
		::unlink(path.c_str());
		return OpenFile();
	}
	file.path = path;
	return file;
}


std::size_t RecycledEntries::held() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _retired.size() + _sealed + _reusable.size();
}


} // namespace mail
