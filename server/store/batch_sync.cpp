// batch_sync.cpp - makes a group commit's own files durable, not the whole file system's.
#include "server/store/batch_sync.h"

#include "server/store/durable_file.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>


namespace mail {


namespace {


/// Files held open at once: a batch is as large as the sessions waiting on it, and two
/// descriptors per session must not run a busy server out of them.
constexpr std::size_t kChunk = 128;


void syncChunk(const std::vector<std::string>& paths, std::size_t begin, std::size_t end, std::vector<int>& errors)
{
	std::vector<int> fds(end - begin, -1);
	for (std::size_t i = begin; i < end; ++i)
	{
		const int fd = ::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
		{
			errors[i] = errno;
			continue;
		}
		fds[i - begin] = fd;
		// Only a hint that lets the device see the batch together: fsync below is what
		// guarantees, so its failure is not the file's (e.g. a file system without it).
		::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	}
	for (std::size_t i = begin; i < end; ++i)
	{
		const int fd = fds[i - begin];
		if (fd < 0) continue;
		if (::fsync(fd) != 0) errors[i] = errno;
		::close(fd);
	}
}


} // namespace


std::vector<int> syncFiles(const std::vector<std::string>& paths)
{
	std::vector<int> errors(paths.size(), 0);
	for (std::size_t begin = 0; begin < paths.size(); begin += kChunk)
		syncChunk(paths, begin, std::min(paths.size(), begin + kChunk), errors);
	return errors;
}


BatchSync::BatchSync():
	directory(syncDirectory)
{
}


} // namespace mail
