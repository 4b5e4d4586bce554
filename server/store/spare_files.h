// spare_files.h - empty files created in one directory ahead of need, handed out open.
//
// Creating a file allocates an inode, the costliest step of a new file on this machine's
// ext4 (bench/results/notes.md). An SMTP session that creates the next message's spool
// file after its 250 has gone out does that work while the client is still sending its
// next command, instead of on the path the client waits on.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>


namespace mail {


struct OpenFile
/// A file created for writing and the descriptor it is open with (the owner closes it).
{
	int fd = -1;
	std::string path;
};


OpenFile createUniqueFile(const std::string& directory);
/// directory/<epoch-microseconds>.<pid>.<n>.spool, created with O_EXCL and mode 0600,
/// open for writing. Throws DurableFileError.


class SpareFiles
/// At most keep empty files (createUniqueFile) of one directory at a time, made by
/// refill() and handed out by take(). A server killed with spares left leaves empty
/// files, which its spool directory's cleanup at the next start removes. Thread-safe.
{
public:
	explicit SpareFiles(std::size_t keep);
	~SpareFiles(); ///< closes and removes the files still spare

	SpareFiles(const SpareFiles&) = delete;
	SpareFiles& operator=(const SpareFiles&) = delete;

	OpenFile take(const std::string& directory);
	/// A spare file of directory, or a new one when none is ready (throws as
	/// createUniqueFile). The caller owns it from now on.
	void refill(const std::string& directory) noexcept;
	/// Creates files in directory until keep are spare. A failure leaves fewer; take()
	/// then creates the file itself and reports the error to its caller.
	std::size_t spare() const; ///< how many files are ready

private:
	const std::size_t _keep;
	mutable std::mutex _mutex;
	std::vector<OpenFile> _spare; ///< all in one directory: the last one given
	std::size_t _creating = 0;    ///< files refill() is creating outside the lock
	std::string _directory;       ///< where the spares are (a new directory drops them)
};


} // namespace mail
