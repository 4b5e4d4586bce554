// batch_sync.cpp - how a group commit makes its batch's files, then their directories, durable.
#include "server/store/batch_sync.h"

#include "server/store/durable_file.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>


namespace mail {


namespace {


/// One file: fsync() of it alone, which writes its data and inode (and, on ext4 without a
/// journal, its new directory entry) and flushes the device cache once, as syncfs() would,
/// but without writing every other program's dirty pages on the file system first.
int syncOneFile(const std::string& path)
{
	const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) return errno;
	const int error = ::fsync(fd) != 0 ? errno : 0;
	::close(fd);
	return error;
}


} // namespace


std::vector<int> syncFiles(const std::vector<std::string>& paths)
{
	if (paths.size() == 1) return {syncOneFile(paths.front())};
	std::vector<int> errors(paths.size(), 0);
	int fd = -1; // the first file that opens: syncfs() needs a descriptor on the file system
	for (std::size_t i = 0; i < paths.size(); ++i)
	{
		// The others are only checked (one syscall, no descriptor): a file that is gone
		// fails alone.
		if (fd >= 0)
		{
			if (::access(paths[i].c_str(), F_OK) != 0) errors[i] = errno;
			continue;
		}
		fd = ::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0) errors[i] = errno;
	}
	if (fd < 0) return errors;
	const int syncError = ::syncfs(fd) != 0 ? errno : 0;
	::close(fd);
	for (auto& error: errors)
	{
		if (error == 0) error = syncError;
	}
	return errors;
}


BatchSync::BatchSync():
	directory(syncDirectory)
{
}


} // namespace mail
