// maildir_store.cpp - durable delivery into per-account Maildirs (DATA/NAME/mail/<address>/).
#include "server/store/maildir_store.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Process.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


namespace mail {


namespace {


[[noreturn]] void throwErrno(const std::string& what, const std::string& path, int error)
{
	throw Poco::FileException(what + " " + path + ": " + std::strerror(error));
}


/// fsync of a directory, so a rename, link or mkdir in it survives a crash.
void syncDirectory(const std::string& path)
{
	const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) throwErrno("cannot open directory", path, errno);
	const int rc = ::fsync(fd);
	const int error = errno;
	::close(fd);
	if (rc != 0) throwErrno("cannot fsync directory", path, error);
}


/// mkdir that accepts an existing directory; true when it created one.
bool makeDirectory(const std::string& path)
{
	if (::mkdir(path.c_str(), 0700) == 0) return true;
	if (errno == EEXIST) return false;
	throwErrno("cannot create directory", path, errno);
}


void writeAll(int fd, const std::string& data, const std::string& path)
{
	const char* p = data.data();
	std::size_t left = data.size();
	while (left > 0)
	{
		const ssize_t n = ::write(fd, p, left);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			throwErrno("cannot write", path, errno);
		}
		p += n;
		left -= static_cast<std::size_t>(n);
	}
}


/// Mailbox names come from the config; still refuse anything that could leave mailRoot.
void checkAddress(const std::string& address)
{
	if (address.empty() || address[0] == '.' || address.find('/') != std::string::npos || address.find('\0') != std::string::npos)
		throw Poco::InvalidArgumentException("bad mailbox name", address);
}


} // namespace


MaildirStore::MaildirStore(const std::string& mailRoot, const std::string& hostName):
	_root(mailRoot),
	_host(hostName)
{
	if (_host.empty())
	{
		Poco::Path path(mailRoot);
		path.makeDirectory();
		_host = path.depth() >= 2 ? path[path.depth() - 2] : "localhost";
	}
	// Maildir: "/" and ":" may not appear in the host part of a name.
	std::string safe;
	for (char c: _host)
	{
		if (c == '/') safe += "\\057";
		else if (c == ':') safe += "\\072";
		else safe += c;
	}
	_host = safe;
}


std::string MaildirStore::mailboxPath(const std::string& address) const
{
	return _root + "/" + address;
}


void MaildirStore::ensureMailbox(const std::string& address)
{
	checkAddress(address);
	std::lock_guard<std::mutex> lock(_mutex);
	if (_ready.count(address)) return;
	const std::string box = mailboxPath(address);
	const std::string parent = Poco::Path(_root).parent().toString();
	if (!Poco::File(_root).exists())
	{
		Poco::File(_root).createDirectories();
		syncDirectory(parent);
	}
	bool created = makeDirectory(box);
	if (created) syncDirectory(_root);
	created = false;
	for (const char* sub: {"/tmp", "/new", "/cur"}) created = makeDirectory(box + sub) || created;
	if (created) syncDirectory(box);
	_ready.insert(address);
}


std::string MaildirStore::uniqueName(std::size_t size)
{
	const Poco::Timestamp now;
	const auto micros = now.epochMicroseconds();
	return std::to_string(micros / 1000000) + ".M" + std::to_string(micros % 1000000) + "P"
		+ std::to_string(Poco::Process::id()) + "Q" + std::to_string(++_counter) + "." + _host
		+ ",S=" + std::to_string(size);
}


std::string MaildirStore::deliver(const std::vector<std::string>& addresses, const std::string& message)
{
	if (addresses.empty()) throw Poco::InvalidArgumentException("deliver without recipients");
	for (const auto& address: addresses) ensureMailbox(address);

	const std::string name = uniqueName(message.size());
	Pending pending;
	pending.tmpPath = mailboxPath(addresses.front()) + "/tmp/" + name;
	for (const auto& address: addresses)
	{
		const std::string target = mailboxPath(address) + "/new/" + name;
		if (std::find(pending.targets.begin(), pending.targets.end(), target) == pending.targets.end())
			pending.targets.push_back(target);
	}
	const int fd = ::open(pending.tmpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) throwErrno("cannot create", pending.tmpPath, errno);
	try
	{
		writeAll(fd, message, pending.tmpPath);
	}
	catch (...)
	{
		::close(fd);
		::unlink(pending.tmpPath.c_str());
		throw;
	}
	if (::close(fd) != 0)
	{
		const int error = errno;
		::unlink(pending.tmpPath.c_str());
		throwErrno("cannot close", pending.tmpPath, error);
	}
	commit(pending);
	if (pending.error) std::rethrow_exception(pending.error);
	return name;
}


void MaildirStore::commit(Pending& pending)
{
	std::unique_lock<std::mutex> lock(_commitMutex);
	_waiting.push_back(&pending);
	while (!pending.done)
	{
		if (_committing)
		{
			_committed.wait(lock);
			continue;
		}
		// Lead: take everything written so far, commit it without the lock held.
		std::vector<Pending*> batch;
		batch.swap(_waiting);
		_committing = true;
		lock.unlock();
		commitBatch(batch);
		lock.lock();
		for (Pending* p: batch) p->done = true;
		_committing = false;
		_committed.notify_all();
	}
}


void MaildirStore::commitBatch(std::vector<Pending*>& batch)
{
	// 1. Every tmp file's data and inode durable: one syncfs() for the batch.
	int fd = ::open(batch.front()->tmpPath.c_str(), O_RDONLY | O_CLOEXEC);
	const int syncError = fd < 0 ? errno : (::syncfs(fd) != 0 ? errno : 0);
	if (fd >= 0) ::close(fd);
	if (syncError != 0)
	{
		for (Pending* p: batch)
		{
			::unlink(p->tmpPath.c_str());
			p->error = std::make_exception_ptr(Poco::FileException(std::string("cannot syncfs ") + p->tmpPath + ": " + std::strerror(syncError)));
		}
		return;
	}
	// 2. Link into every new/, drop the tmp name. A failed item removes its own links.
	std::set<std::string> directories;
	for (Pending* p: batch)
	{
		std::vector<std::string> linked;
		for (const auto& target: p->targets)
		{
			if (::link(p->tmpPath.c_str(), target.c_str()) != 0)
			{
				p->error = std::make_exception_ptr(Poco::FileException("cannot link " + target + ": " + std::strerror(errno)));
				break;
			}
			linked.push_back(target);
		}
		if (p->error)
		{
			for (const auto& path: linked) ::unlink(path.c_str());
		}
		else
		{
			for (const auto& target: p->targets) directories.insert(Poco::Path(target).parent().toString());
		}
		::unlink(p->tmpPath.c_str());
	}
	// 3. Each touched new/ once. A failure here fails every item linked into that directory.
	for (const auto& dir: directories)
	{
		try
		{
			syncDirectory(dir);
		}
		catch (const Poco::Exception& exc)
		{
			for (Pending* p: batch)
			{
				if (p->error) continue;
				for (const auto& target: p->targets)
				{
					if (Poco::Path(target).parent().toString() != dir) continue;
					p->error = std::make_exception_ptr(exc);
					for (const auto& t: p->targets) ::unlink(t.c_str());
					break;
				}
			}
		}
	}
}


} // namespace mail
