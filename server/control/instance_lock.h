// instance_lock.h - one mail-server per data directory (DATA/NAME/lock, flock).
#pragma once

#include <string>


namespace mail {


class InstanceLock
/// Taken before the server touches anything under DATA/NAME/ (queue, Maildirs, sockets),
/// so a second copy started by mistake exits at once instead of running its relay over
/// the live queue. flock(2) on DATA/NAME/lock: the kernel drops it when the process dies,
/// so a crash never leaves a stale lock. The file holds the owner's pid, for the message.
{
public:
	explicit InstanceLock(const std::string& dataDir);
	///< Opens (creates) DATA/NAME/lock; does not lock yet.
	~InstanceLock();

	InstanceLock(const InstanceLock&) = delete;
	InstanceLock& operator=(const InstanceLock&) = delete;

	bool tryLock();
	///< True when this process now holds the lock (and wrote its pid); false when another
	///  process holds it. Throws Poco::FileException when the file cannot be opened.

	std::string holder() const;
	///< The pid written by the holder, or "unknown".

	const std::string& path() const { return _path; }

private:
	std::string _path;
	int _fd = -1;
};


} // namespace mail
