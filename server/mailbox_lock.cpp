// mailbox_lock.cpp - one POP3 session per mailbox, within this process and across processes.
#include "mailbox_lock.h"

#include <Poco/Bugcheck.h>

#include <cerrno>
#include <mutex>
#include <set>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


namespace mail {


namespace {


std::mutex registryMutex;
std::set<std::string> registry; ///< mailbox paths held by sessions of this process


bool makeDirectory(const std::string& path)
{
	return ::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST;
}


} // namespace


MailboxLock::~MailboxLock()
{
	release();
}


MailboxLock::Result MailboxLock::acquire(const std::string& mailboxPath)
{
	poco_assert(!held());
	for (const char* sub: {"", "/tmp", "/new", "/cur"})
	{
		if (!makeDirectory(mailboxPath + sub)) return Result::Failed;
	}
	{
		std::lock_guard<std::mutex> guard(registryMutex);
		if (!registry.insert(mailboxPath).second) return Result::Busy;
	}
	const std::string lockPath = mailboxPath + "/.lock";
	const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	Result result = Result::Failed;
	if (fd >= 0)
	{
		int rc;
		do rc = ::flock(fd, LOCK_EX | LOCK_NB);
		while (rc != 0 && errno == EINTR);
		if (rc == 0)
		{
			_fd = fd;
			_path = mailboxPath;
			return Result::Acquired;
		}
		result = errno == EWOULDBLOCK ? Result::Busy : Result::Failed;
		::close(fd);
	}
	std::lock_guard<std::mutex> guard(registryMutex);
	registry.erase(mailboxPath);
	return result;
}


void MailboxLock::release()
{
	if (!held()) return;
	::close(_fd); // drops the flock
	_fd = -1;
	std::lock_guard<std::mutex> guard(registryMutex);
	registry.erase(_path);
	_path.clear();
}


} // namespace mail
