// durable_file.h - crash-safe file primitives shared by the Maildir store and the relay queue.
//
// One error contract for all of them: a failure throws DurableFileError carrying the errno
// of the failing call (captured before any cleanup call can change it) and the path.
// Every descriptor is opened with O_CLOEXEC, so no child process inherits one.
#pragma once

#include <Poco/Exception.h>

#include <string>


namespace mail {


class DurableFileError: public Poco::FileException
/// A failed file-system call: displayText() is "File access error: <what> <path>: <strerror>".
/// Derives from Poco::FileException so callers that catch Poco::Exception keep working.
{
public:
	DurableFileError(const std::string& what, const std::string& path, int error);

	int error() const { return _error; }              ///< errno of the failing call
	const std::string& path() const { return _path; } ///< the file or directory it was about

	const char* name() const noexcept override;
	const char* className() const noexcept override;
	Poco::Exception* clone() const override;
	void rethrow() const override;

private:
	std::string _path;
	int _error;
};


[[noreturn]] void throwErrno(const std::string& what, const std::string& path, int error);
/// Throws DurableFileError; pass errno as read right after the failing call.

void writeAll(int fd, const std::string& data, const std::string& path);
/// write() until all of data is written, retrying EINTR and short writes.

void syncDirectory(const std::string& dir);
/// fsync() of a directory, so a create, rename, link or unlink in it survives a crash.

bool makeDirectory(const std::string& path);
/// mkdir(path, 0700) that accepts an existing entry; true when it created the directory.
/// The caller fsyncs the parent when it needs the new entry durable.

void writeFile(const std::string& path, const std::string& data, bool sync = false);
/// Writes data to path (created or truncated, mode 0600), fsynced when sync is set (else
/// durability is the caller's, e.g. a group commit's batch sync); on failure path is removed.

void writeFileDurably(const std::string& finalPath, const std::string& tmpPath, const std::string& data);
/// Writes data to tmpPath (created or truncated, mode 0600), fsyncs it and renames it to
/// finalPath; on failure tmpPath is removed. The caller fsyncs the directory.

std::string readWholeFile(const std::string& path);
/// The whole content of a file.
bool readWholeFileIfExists(const std::string& path, std::string& data);
/// The same into data, but false (data untouched) when the file does not exist (one
/// open instead of a check and then an open); other errors throw.


} // namespace mail
