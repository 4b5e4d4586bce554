// batch_sync.h - makes a group commit's own files durable, not the whole file system's.
#pragma once

#include <functional>
#include <string>
#include <vector>


namespace mail {


std::vector<int> syncFiles(const std::vector<std::string>& paths);
/// Makes every file's data and inode durable; returns, per path, 0 or the errno of the
/// call that failed for it. First starts write-back of every file (sync_file_range
/// SYNC_FILE_RANGE_WRITE), then fsyncs each: the file system allocates the whole batch's
/// blocks into one journal transaction, so the first fsync commits it for all and the
/// rest only wait for their data. Bounded to these files, unlike syncfs(), which also
/// flushes every other program's dirty pages on the file system.


struct BatchSync
/// The two durability calls a group commit makes: its files, then each directory it
/// changed. Injectable so tests can see exactly what a batch synced.
{
	std::function<std::vector<int>(const std::vector<std::string>& paths)> files = syncFiles;
	std::function<void(const std::string& dir)> directory; ///< throws DurableFileError

	BatchSync();
	/// The system's calls: syncFiles() and syncDirectory() of durable_file.h.
};


} // namespace mail
