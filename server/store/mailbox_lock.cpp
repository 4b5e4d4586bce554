// mailbox_lock.cpp - one POP3 session per mailbox, within this process and across processes.
#include "server/store/mailbox_lock.h"

#include "server/store/maildir.h"

#include <Poco/Bugcheck.h>
#include <Poco/Exception.h>

#include <cerrno>
#include <mutex>
#include <set>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>


namespace mail {


namespace {


std::mutex registryMutex;
std::set<std::string> registry; ///< mailbox paths held by sessions of this process


} // namespace


MailboxLock::~MailboxLock()
{
	release();
}


MailboxLock::Result MailboxLock::acquire(const std::string& mailboxPath)
{
	poco_assert(!held());
	{
		std::lock_guard<std::mutex> guard(registryMutex);
		if (!registry.insert(mailboxPath).second) return Result::Busy;
	}
	const std::string lockPath = mailboxPath + "/.lock";
	int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT)
	{
		// First login before any delivery: make the Maildir (the common case skips this),
		// durably, since delivery may rely on a mailbox that a POP3 login created.
		bool made = true;
		try
		{
			ensureMaildir(mailboxPath);
		}
		catch (const Poco::Exception&)
		{
			made = false;
		}
		if (made) fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0 && (errno == EROFS || errno == EACCES)) fd = openReadOnly(mailboxPath);
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


int MailboxLock::openReadOnly(const std::string& mailboxPath)
/// flock() needs no write access: a read-only descriptor of .lock, else (never created,
/// and now it cannot be) of the Maildir directory, which every reader then locks alike.
{
	int fd = ::open((mailboxPath + "/.lock").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) fd = ::open(mailboxPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_readOnly = fd >= 0;
	return fd;
}


MailboxLock::Result MailboxLock::acquireWithin(const std::string& mailboxPath, std::chrono::milliseconds wait)
{
	const auto deadline = std::chrono::steady_clock::now() + wait;
	for (;;)
	{
		const Result result = acquire(mailboxPath);
		if (result != Result::Busy || std::chrono::steady_clock::now() >= deadline) return result;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
}


void MailboxLock::release()
{
	if (!held()) return;
	::close(_fd); // drops the flock
	_fd = -1;
	_readOnly = false;
	std::lock_guard<std::mutex> guard(registryMutex);
	registry.erase(_path);
	_path.clear();
}


bool mailboxLockHeld(const std::string& mailboxPath)
{
	std::lock_guard<std::mutex> guard(registryMutex);
	return registry.count(mailboxPath) != 0;
}


} // namespace mail
