// maildir_store.cpp - durable delivery into per-account Maildirs (DATA/NAME/mail/<address>/).
#include "maildir_store.h"

#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Process.h>
#include <Poco/Timestamp.h>

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
	if (makeDirectory(_root)) syncDirectory(parent);
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
	const std::string tmpPath = mailboxPath(addresses.front()) + "/tmp/" + name;
	std::vector<std::string> linked;
	const int fd = ::open(tmpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) throwErrno("cannot create", tmpPath, errno);
	try
	{
		try
		{
			writeAll(fd, message, tmpPath);
			if (::fdatasync(fd) != 0) throwErrno("cannot fdatasync", tmpPath, errno);
		}
		catch (...)
		{
			::close(fd);
			throw;
		}
		if (::close(fd) != 0) throwErrno("cannot close", tmpPath, errno);
		for (const auto& address: addresses)
		{
			const std::string target = mailboxPath(address) + "/new/" + name;
			if (::link(tmpPath.c_str(), target.c_str()) != 0)
			{
				if (errno == EEXIST) continue; // the same mailbox twice: one copy
				throwErrno("cannot link", target, errno);
			}
			linked.push_back(target);
		}
		::unlink(tmpPath.c_str());
		for (const auto& address: addresses) syncDirectory(mailboxPath(address) + "/new");
	}
	catch (...)
	{
		for (const auto& path: linked) ::unlink(path.c_str());
		::unlink(tmpPath.c_str());
		throw;
	}
	return name;
}


} // namespace mail
