// batch_sync.h - how a group commit makes its batch's files, then their directories, durable.
#pragma once

#include <functional>
#include <string>
#include <vector>


namespace mail {


std::vector<int> syncFiles(const std::vector<std::string>& paths);
/// Makes every file's data and inode durable with one syncfs() of their file system;
/// returns, per path, 0 or the errno of the call that failed for it (a file that cannot
/// be opened fails alone). syncfs() also flushes other programs' dirty pages, but it is
/// one journal commit and one device cache flush for the whole batch: fsync of each file
/// (after sync_file_range write-back), by the leader or by each writer concurrently,
/// measured 1.2x to 3x slower on this machine's virtual disk (bench/results/notes.md),
/// because each fsync pays its own cache flush. A batch of one file (one session
/// delivering) is one fsync() of it: the same single flush, without the other programs'
/// pages that syncfs() would write too.


struct BatchSync
/// The two durability calls a group commit makes: its files, then each directory it
/// changed. Injectable so tests can see exactly what a batch synced, in which order.
{
	std::function<std::vector<int>(const std::vector<std::string>& paths)> files = syncFiles;
	std::function<void(const std::string& dir)> directory; ///< throws DurableFileError

	BatchSync();
	/// The system's calls: syncFiles() and syncDirectory() of durable_file.h.
};


} // namespace mail
