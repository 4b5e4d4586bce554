// recycled_entries.h - finished queue entries kept as files, their inodes reused by new entries.
//
// On this machine's ext4 (no journal) a new file's inode allocation skips every inode
// freed in the last 30 seconds, one by one, so while the relay removes entries as fast as
// SMTP adds them, each new entry pays a scan past thousands of just-deleted inodes
// (`recently_deleted` 13 % of the relaying server's samples in bench/results/notes.md).
// A small finished entry is therefore renamed to <n>.free in the queue directory instead
// of unlinked, and the next spool file takes it over (renamed to its temp name, opened
// with O_TRUNC): no inode freed, none allocated.
//
// A free file is reused only after a directory fsync that followed its rename (the queue's
// group commit calls seal() before and ready() after it): until then a crash may bring the
// old entry's name back, and it must come back with its message intact (sent again, as
// after an unlink that was not synced), never with another message's text in it. scan()
// removes <n>.free files left by a stopped server. At most keep files of at most maxSize
// octets each are kept, so the pool holds little disk; others are unlinked as before.
#pragma once

#include "server/store/spare_files.h"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>


namespace mail {


class RecycledEntries
/// Thread-safe.
{
public:
	RecycledEntries(std::size_t keep, std::uint64_t maxSize);

	static bool isFree(const std::string& name); ///< a file name this pool made (<n>.free)

	bool retire(const std::string& directory, const std::string& path);
	/// Renames the finished entry at path into the pool when it is small and there is room;
	/// false (nothing done) otherwise, and the caller unlinks it.
	std::vector<std::string> seal();
	/// The files retired so far, to be made reusable by the directory fsync that follows.
	void ready(std::vector<std::string> sealed, bool synced);
	/// After that fsync: reusable when it succeeded, else unlinked.
	OpenFile reuse(const std::string& path);
	/// A reusable file renamed to path and opened for writing, empty; fd -1 when none is
	/// ready or the rename or open fails (the caller then creates path itself).
	std::size_t held() const; ///< files in the pool (retired, sealed or reusable)

private:
	const std::size_t _keep;
	const std::uint64_t _maxSize;
	mutable std::mutex _mutex;
	std::vector<std::string> _retired;  ///< renamed, not yet covered by a directory fsync
	std::vector<std::string> _reusable; ///< covered by one
	std::size_t _sealed = 0;            ///< between seal() and ready()
	std::uint64_t _next = 0;            ///< the next free file's number
};


} // namespace mail
