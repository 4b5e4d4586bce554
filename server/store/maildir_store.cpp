// maildir_store.cpp - durable delivery into per-account Maildirs (DATA/NAME/mail/<address>/).
#include "server/store/maildir_store.h"

#include "server/store/durable_file.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>


namespace mail {


namespace {


/// Spool files made ahead: one per session that has just sent its 250 covers one session;
/// a few more cover the sessions that arrive together, without keeping many open.
constexpr std::size_t kSpareSpoolFiles = 4;


} // namespace


MaildirStore::MaildirStore(const std::string& mailRoot, const std::string& hostName, BatchSync sync):
	_sync(std::move(sync)),
	_group([this](std::vector<Pending*>& batch) { commitBatch(batch); }),
	_maildir(mailRoot, hostName),
	_spareSpools(kSpareSpoolFiles)
{
}


std::string MaildirStore::mailboxPath(const std::string& address) const
{
	return _maildir.path(address);
}


void MaildirStore::ensureMailbox(const std::string& address)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_ready.count(address)) return;
	_maildir.ensure(address);
	_ready.insert(address);
}


namespace {


/// The message with LF line ends; wireSize gets its size with CRLF ends.
std::string toLf(const std::string& message, std::uint64_t& wireSize)
{
	std::string out;
	out.reserve(message.size());
	std::uint64_t lines = 0;
	for (std::size_t i = 0; i < message.size(); ++i)
	{
		if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
		if (message[i] == '\n') ++lines;
		out += message[i];
	}
	wireSize = out.size() + lines;
	return out;
}


} // namespace


void MaildirStore::recreateMailbox(const std::string& address)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_maildir.ensure(address);
	_ready.insert(address);
}


const std::string& MaildirStore::spoolDirectory()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_spool.empty())
	{
		const std::string dir = _maildir.root() + "/.spool";
		Poco::File(_maildir.root()).createDirectories();
		if (!makeDirectory(dir))
		{
			// Left by a server killed during DATA (one server owns a data directory, and
			// this runs before its first session spools anything): never delivered.
			std::vector<std::string> stale;
			Poco::File(dir).list(stale);
			for (const auto& name: stale) ::unlink(std::string(dir).append("/").append(name).c_str());
		}
		_spool = dir;
	}
	return _spool;
}


OpenFile MaildirStore::takeSpoolFile()
{
	const std::string& directory = spoolDirectory();
	_spooling = true;
	return _spareSpools.take(directory);
}


void MaildirStore::prepareSpoolFile()
{
	if (_spooling) _spareSpools.refill(spoolDirectory());
}


std::string MaildirStore::deliverFile(const std::vector<std::string>& addresses, const std::string& path,
	std::uint64_t size, std::uint64_t wireSize, const std::string& id)
{
	if (addresses.empty()) throw Poco::InvalidArgumentException("deliver without recipients");
	for (const auto& address: addresses) ensureMailbox(address);
	Pending pending;
	pending.tmpPath = path;
	pending.keepTmp = true;
	return commitFile(addresses, pending, _maildir.newFileName(size, wireSize, id));
}


std::string MaildirStore::commitFile(const std::vector<std::string>& addresses, Pending& pending, const std::string& name)
{
	for (const auto& address: addresses)
	{
		const std::string target = mailboxPath(address) + "/new/" + name;
		if (std::find(pending.targets.begin(), pending.targets.end(), target) == pending.targets.end())
			pending.targets.push_back(target);
	}
	_group.commit(pending);
	if (pending.error) std::rethrow_exception(pending.error);
	return name;
}


std::string MaildirStore::deliver(const std::vector<std::string>& addresses, const std::string& crlfMessage,
	const std::string& id)
{
	if (addresses.empty()) throw Poco::InvalidArgumentException("deliver without recipients");
	for (const auto& address: addresses) ensureMailbox(address);

	std::uint64_t wireSize = 0;
	const std::string message = toLf(crlfMessage, wireSize);
	const std::string name = _maildir.newFileName(message.size(), wireSize, id);
	Pending pending;
	pending.tmpPath = mailboxPath(addresses.front()) + "/tmp/" + name;
	int fd = ::open(pending.tmpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT)
	{
		// The Maildir was removed while we run (an admin, a test, a user's rm -r): make it
		// again rather than answer 451 to every message for it until a restart.
		recreateMailbox(addresses.front());
		fd = ::open(pending.tmpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
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
	return commitFile(addresses, pending, name);
}


void MaildirStore::commitBatch(std::vector<Pending*>& batch)
{
	// 1. Every tmp file's data and inode durable, the batch's files only; a file that
	// cannot be synced fails its own item.
	std::vector<std::string> files;
	files.reserve(batch.size());
	for (const Pending* p: batch) files.push_back(p->tmpPath);
	const std::vector<int> syncErrors = _sync.files(files);
	for (std::size_t i = 0; i < batch.size(); ++i)
	{
		if (syncErrors.at(i) == 0) continue;
		if (!batch[i]->keepTmp) ::unlink(batch[i]->tmpPath.c_str());
		batch[i]->error = std::make_exception_ptr(DurableFileError("cannot sync", batch[i]->tmpPath, syncErrors[i]));
	}
	// 2. Link into every new/, drop the tmp name. A failed item removes its own links.
	std::set<std::string> directories;
	for (Pending* p: batch)
	{
		if (p->error) continue;
		std::vector<std::string> linked;
		for (const auto& target: p->targets)
		{
			int linkedOk = ::link(p->tmpPath.c_str(), target.c_str());
			if (linkedOk != 0 && errno == ENOENT && ::access(p->tmpPath.c_str(), F_OK) == 0)
			{
				// The recipient's Maildir (or its new/) was removed since it was ensured.
				ensureMaildir(target.substr(0, target.rfind("/new/")));
				linkedOk = ::link(p->tmpPath.c_str(), target.c_str());
			}
			if (linkedOk != 0)
			{
				p->error = std::make_exception_ptr(DurableFileError("cannot link", target, errno));
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
		if (!p->keepTmp) ::unlink(p->tmpPath.c_str());
	}
	// 3. Each touched new/ once. A failure here fails every item linked into that directory.
	for (const auto& dir: directories)
	{
		try
		{
			_sync.directory(dir);
		}
		catch (...)
		{
			failDirectory(batch, dir, std::current_exception());
		}
	}
}


void MaildirStore::failDirectory(std::vector<Pending*>& batch, const std::string& dir, const std::exception_ptr& error)
{
	for (Pending* p: batch)
	{
		if (p->error) continue;
		for (const auto& target: p->targets)
		{
			if (Poco::Path(target).parent().toString() != dir) continue;
			p->error = error;
			for (const auto& t: p->targets) ::unlink(t.c_str());
			break;
		}
	}
}


} // namespace mail
