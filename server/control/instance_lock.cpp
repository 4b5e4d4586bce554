// instance_lock.cpp - one mail-server per data directory (DATA/NAME/lock, flock).
#include "server/control/instance_lock.h"

#include <Poco/Exception.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>


namespace mail {


InstanceLock::InstanceLock(const std::string& dataDir):
	_path(dataDir + "/lock")
{
	_fd = ::open(_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (_fd < 0) throw Poco::FileException("cannot open " + _path + ": " + std::strerror(errno));
}


InstanceLock::~InstanceLock()
{
	// Closing drops the lock; the file stays (removing it would race a new owner).
	if (_fd >= 0) ::close(_fd);
}


bool InstanceLock::tryLock()
{
	if (::flock(_fd, LOCK_EX | LOCK_NB) != 0)
	{
		if (errno == EWOULDBLOCK) return false;
		throw Poco::FileException("cannot lock " + _path + ": " + std::strerror(errno));
	}
	const std::string pid = std::to_string(::getpid()) + "\n";
	if (::ftruncate(_fd, 0) != 0 || ::pwrite(_fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
		throw Poco::FileException("cannot write " + _path + ": " + std::strerror(errno));
	return true;
}


std::string InstanceLock::holder() const
{
	std::ifstream in(_path);
	std::string pid;
	if (in >> pid) return pid;
	return "unknown";
}


} // namespace mail
