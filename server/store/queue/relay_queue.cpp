// relay_queue.cpp - durable outbound queue: one-file entries (head + message), side state files, group-committed writes, quarantine.
#include "server/store/queue/relay_queue.h"

#include "common/ops/log.h"
#include "server/message/line_ends.h"
#include "server/store/durable_file.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using Poco::DirectoryIterator;
using Poco::File;


namespace mail {


namespace {


const char* const kEntrySuffix = ".mail";   ///< a one-file entry: head + message
const char* const kStateSuffix = ".state";  ///< its envelope once something changed
const char* const kMessageSuffix = ".msg";  ///< legacy: the message, CRLF
const char* const kEnvelopeSuffix = ".env"; ///< legacy: the envelope
const char* const kTempSuffix = ".tmp";


class Fd
/// Closes its descriptor.
{
public:
	explicit Fd(int fd):
		_fd(fd) {}
	~Fd()
	{
		if (_fd >= 0) ::close(_fd);
	}
	Fd(const Fd&) = delete;
	Fd& operator=(const Fd&) = delete;
	int get() const { return _fd; }
	int release()
	{
		const int fd = _fd;
		_fd = -1;
		return fd;
	}

private:
	int _fd;
};


bool endsWith(const std::string& text, const std::string& suffix)
{
	return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}


std::size_t readHead(int fd, const std::string& path, QueueEntryHead& head)
/// The head at the start of an open entry; its length. Throws Poco::DataFormatException
/// on a bad or overlong head, DurableFileError on a read error.
{
	std::string data;
	std::size_t want = 4096;
	for (;;)
	{
		const std::size_t had = data.size();
		data.resize(want);
		const ssize_t n = ::pread(fd, &data[had], want - had, static_cast<off_t>(had));
		if (n < 0 && errno == EINTR)
		{
			data.resize(had);
			continue;
		}
		if (n < 0) throwErrno("cannot read", path, errno);
		data.resize(had + static_cast<std::size_t>(n));
		const std::size_t length = parseEntryHead(data.data(), data.size(), head);
		if (length > 0) return length;
		if (n == 0) throw Poco::DataFormatException("queue entry ends inside its head", path);
		if (data.size() == want)
		{
			if (want >= RelayQueue::kMaxHead) throw Poco::DataFormatException("queue entry head too long", path);
			want = std::min(want * 4, RelayQueue::kMaxHead);
		}
	}
}


std::uint64_t openSize(int fd, const std::string& path)
{
	struct stat st;
	if (::fstat(fd, &st) != 0) throwErrno("cannot stat", path, errno);
	return static_cast<std::uint64_t>(st.st_size);
}


void copyRange(int in, const std::string& from, std::uint64_t offset, std::uint64_t length, int out, const std::string& to)
/// length octets of in from offset, appended to out: copy_file_range(2), in the kernel;
/// through a 64 KB buffer where the file systems cannot do that.
{
	loff_t inOffset = static_cast<loff_t>(offset);
	std::uint64_t left = length;
	while (left > 0)
	{
		const ssize_t n = ::copy_file_range(in, &inOffset, out, nullptr, static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 30)), 0);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) break;
		if (n < 0) throwErrno("cannot copy", std::string(from).append(" to ").append(to), errno);
		if (n == 0) throw DurableFileError("file shorter than its message", from, EIO);
		left -= static_cast<std::uint64_t>(n);
	}
	std::vector<char> buffer(left > 0 ? std::size_t{64} * 1024 : 0);
	while (left > 0)
	{
		const ssize_t n = ::pread(in, buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())), inOffset);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) throwErrno("cannot read", from, errno);
		if (n == 0) throw DurableFileError("file shorter than its message", from, EIO);
		writeAll(out, std::string(buffer.data(), static_cast<std::size_t>(n)), to);
		inOffset += n;
		left -= static_cast<std::uint64_t>(n);
	}
}


bool sameRecipients(const QueueEnvelope& state, const QueueEntryHead& head)
{
	if (state.recipients.size() != head.recipients.size()) return false;
	for (std::size_t i = 0; i < head.recipients.size(); ++i)
	{
		if (state.recipients[i].address != head.recipients[i]) return false;
	}
	return true;
}


} // namespace


RelayQueue::RelayQueue(const std::string& queueDir, BatchSync sync):
	_dir(queueDir),
	_sync(std::move(sync)),
	_group([this](std::vector<Write*>& batch) { commitBatch(batch); })
{
}


void RelayQueue::ensureDirectory()
{
	std::call_once(_dirCreated, [this] { File(_dir).createDirectories(); });
}


std::string RelayQueue::path(const std::string& id, const char* suffix) const
{
	return _dir + "/" + id + suffix;
}


void RelayQueue::setListener(Listener listener)
{
	_listener = std::move(listener);
}


void RelayQueue::commit(Write& write)
{
	_group.commit(write);
	if (write.error) std::rethrow_exception(write.error);
}


void RelayQueue::commitBatch(std::vector<Write*>& batch)
{
	// 1. Every temp file's data and inode durable, the batch's files only (a batch of
	// removals has none); a file that cannot be synced fails its own item.
	std::vector<std::string> files;
	std::vector<Write*> owners; ///< the item of each file
	for (Write* w: batch)
	{
		for (const auto& rename: w->renames)
		{
			files.push_back(rename.first);
			owners.push_back(w);
		}
	}
	const std::vector<int> syncErrors = files.empty() ? std::vector<int>() : _sync.files(files);
	for (std::size_t i = 0; i < files.size(); ++i)
	{
		Write* w = owners[i];
		if (syncErrors.at(i) == 0 || w->error) continue;
		w->error = std::make_exception_ptr(DurableFileError("cannot sync", files[i], syncErrors[i]));
		for (const auto& [tmp, final]: w->renames) ::unlink(tmp.c_str());
	}
	// 2. Into place in order; a failed item undoes its own renames.
	for (Write* w: batch)
	{
		if (w->error) continue;
		std::size_t done = 0;
		for (; done < w->renames.size(); ++done)
		{
			const auto& [tmp, final] = w->renames[done];
			if (::rename(tmp.c_str(), final.c_str()) != 0)
			{
				w->error = std::make_exception_ptr(DurableFileError("cannot rename", tmp, errno));
				break;
			}
		}
		if (!w->error) continue;
		for (std::size_t i = done; i < w->renames.size(); ++i) ::unlink(w->renames[i].first.c_str());
		if (w->removeOnFailure)
		{
			while (done > 0) ::unlink(w->renames[--done].second.c_str());
		}
	}
	// 3. The directory once. A failure fails every item (new entries are removed). Entries
	// recycled before it are reusable after it: their old names are gone for good.
	std::vector<std::string> recycled = _recycled.seal();
	try
	{
		_sync.directory(_dir);
		_recycled.ready(std::move(recycled), true);
	}
	catch (...)
	{
		_recycled.ready(std::move(recycled), false);
		for (Write* w: batch)
		{
			if (w->error) continue;
			w->error = std::current_exception();
			if (!w->removeOnFailure) continue;
			for (auto it = w->renames.rbegin(); it != w->renames.rend(); ++it) ::unlink(it->second.c_str());
		}
	}
}


QueueEntryHead RelayQueue::newHead(const std::string& id, const std::string& sender, const std::vector<std::string>& recipients)
{
	if (recipients.empty()) throw Poco::InvalidArgumentException("enqueue without recipients");
	if (id.empty()) throw Poco::InvalidArgumentException("enqueue without an id");
	QueueEntryHead head;
	head.id = id;
	head.sender = sender;
	head.recipients = recipients;
	head.arrival = Poco::Timestamp().epochTime();
	return head;
}


std::string RelayQueue::spoolDirectory()
{
	ensureDirectory();
	return _dir;
}


OpenFile RelayQueue::createSpool(const std::string& id)
{
	const std::string spool = spoolDirectory() + "/" + spoolName(id);
	OpenFile file = _recycled.reuse(spool);
	if (file.fd >= 0) return file;
	file.fd = ::open(spool.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (file.fd < 0) throwErrno("cannot create", spool, errno);
	file.path = spool;
	return file;
}


void RelayQueue::commitNew(const QueueEntryHead& head, const std::string& tmp)
{
	Write write;
	write.removeOnFailure = true;
	write.renames.emplace_back(tmp, path(head.id, kEntrySuffix));
	commit(write);
	if (_listener) _listener(head.envelope());
}


void RelayQueue::commitSpool(const QueueEntryHead& head)
{
	const std::string tmp = path(head.id, kEntrySuffix) + kTempSuffix;
	try
	{
		commitNew(head, tmp);
	}
	catch (...)
	{
		::unlink(tmp.c_str());
		throw;
	}
}


std::string RelayQueue::enqueue(const std::string& id, const std::string& sender, const std::vector<std::string>& recipients,
	const std::string& message)
{
	QueueEntryHead head = newHead(id, sender, recipients);
	ensureDirectory();
	// Stored as SMTP stores it: LF line ends (a CR before an LF is the line end's).
	const std::string body = crlfToLf(message);
	const auto lines = static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n'));
	head.eightBit = std::any_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
	head.bodySize = body.size();
	head.wireSize = body.size() + lines + (!body.empty() && body.back() != '\n' ? 2 : 0);
	const std::string tmp = path(id, kEntrySuffix) + kTempSuffix;
	try
	{
		Fd out(createSpool(id).fd);
		writeAll(out.get(), formatEntryHead(head) + body, tmp);
		if (::close(out.release()) != 0) throwErrno("cannot close", tmp, errno);
	}
	catch (...)
	{
		::unlink(tmp.c_str());
		throw;
	}
	commitSpool(head);
	return id;
}


void RelayQueue::enqueueCopy(const QueueEntryHead& head, const std::string& from, std::uint64_t offset)
{
	ensureDirectory();
	const std::string tmp = path(head.id, kEntrySuffix) + kTempSuffix;
	try
	{
		Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
		if (in.get() < 0) throwErrno("cannot open", from, errno);
		Fd out(createSpool(head.id).fd);
		writeAll(out.get(), formatEntryHead(head), tmp);
		copyRange(in.get(), from, offset, head.bodySize, out.get(), tmp);
		if (::close(out.release()) != 0) throwErrno("cannot close", tmp, errno);
	}
	catch (...)
	{
		::unlink(tmp.c_str());
		throw;
	}
	commitSpool(head);
}


void RelayQueue::quarantine(const std::string& id, const std::string& reason, const std::string& detail)
{
	// The entry first, so list() never sees a state whose message is elsewhere.
	const std::string dir = corruptDirectory();
	makeDirectory(dir);
	std::string moved;
	for (const char* suffix: {kEntrySuffix, kMessageSuffix, kEnvelopeSuffix, kStateSuffix})
	{
		if (::rename(path(id, suffix).c_str(), std::string(dir).append("/").append(id).append(suffix).c_str()) == 0)
			moved += std::string(moved.empty() ? "" : ",") + (suffix + 1);
	}
	syncDirectory(dir);
	syncDirectory(_dir);
	Poco::Logger::get("relay").error("- relay queue-corrupt id=%s reason=%s moved=%s to=%s detail=%s", quoteForLog(id),
		reason, moved.empty() ? std::string("none") : moved, quoteForLog(dir), quoteForLog(detail));
}


QueueEnvelope RelayQueue::recover(const std::string& id, bool& ok)
/// A one-file entry at start-up: head, size, side state, all checked.
{
	ok = false;
	QueueEnvelope envelope;
	const std::string entry = path(id, kEntrySuffix);
	try
	{
		Fd fd(::open(entry.c_str(), O_RDONLY | O_CLOEXEC));
		if (fd.get() < 0) throwErrno("cannot open", entry, errno);
		QueueEntryHead head;
		const std::size_t length = readHead(fd.get(), entry, head);
		if (head.id != id) throw Poco::DataFormatException("head id does not match its file", head.id);
		const std::uint64_t size = openSize(fd.get(), entry);
		if (size != length + head.bodySize)
		{
			quarantine(id, "truncated", "message has " + std::to_string(size - length) + " octets, the head says " + std::to_string(head.bodySize));
			return envelope;
		}
		envelope = head.envelope();
		std::string text;
		if (readWholeFileIfExists(path(id, kStateSuffix), text))
		{
			envelope = parseEnvelope(text);
			if (envelope.id != id || envelope.size != static_cast<std::int64_t>(head.wireSize) || !sameRecipients(envelope, head))
				throw Poco::DataFormatException("state does not match its entry", path(id, kStateSuffix));
		}
	}
	catch (const Poco::Exception& exc)
	{
		quarantine(id, "unreadable", exc.displayText());
		return envelope;
	}
	ok = true;
	return envelope;
}


QueueEnvelope RelayQueue::recoverLegacy(const std::string& id, bool& ok)
/// An entry of the two-file layout at start-up, checked as that version did.
{
	ok = false;
	QueueEnvelope envelope;
	struct stat st;
	if (::stat(path(id, kMessageSuffix).c_str(), &st) != 0)
	{
		quarantine(id, "no-message", "the envelope's message file is missing");
		return envelope;
	}
	try
	{
		if (!loadLegacy(id, envelope)) return envelope;
	}
	catch (const Poco::Exception& exc)
	{
		quarantine(id, "unreadable", exc.displayText());
		return envelope;
	}
	if (envelope.size >= 0 && envelope.size != static_cast<std::int64_t>(st.st_size))
	{
		quarantine(id, "truncated", "message has " + std::to_string(st.st_size) + " octets, the envelope says " + std::to_string(envelope.size));
		return envelope;
	}
	ok = true;
	return envelope;
}


std::vector<QueueEnvelope> RelayQueue::scan()
{
	ensureDirectory();
	std::vector<std::string> entries, states, messages, envelopes, temps;
	for (DirectoryIterator it(_dir), end; it != end; ++it)
	{
		const std::string& name = it.name();
		const auto stem = [&name](const char* suffix) { return name.substr(0, name.size() - std::string(suffix).size()); };
		if (endsWith(name, kTempSuffix) || RecycledEntries::isFree(name)) temps.push_back(name);
		else if (endsWith(name, kEntrySuffix)) entries.push_back(stem(kEntrySuffix));
		else if (endsWith(name, kStateSuffix)) states.push_back(stem(kStateSuffix));
		else if (endsWith(name, kEnvelopeSuffix)) envelopes.push_back(stem(kEnvelopeSuffix));
		else if (endsWith(name, kMessageSuffix)) messages.push_back(stem(kMessageSuffix));
	}
	for (const auto& name: temps) ::unlink((_dir + "/" + name).c_str());
	std::sort(entries.begin(), entries.end());
	std::sort(envelopes.begin(), envelopes.end());
	for (const auto& id: states)
	{
		// Left by a removal that unlinked the entry and was cut short: the message is done.
		if (!std::binary_search(entries.begin(), entries.end(), id)) ::unlink(path(id, kStateSuffix).c_str());
	}
	for (const auto& id: messages)
	{
		// Legacy: renamed just before its envelope, which never made it: no 250 was given for it.
		if (!std::binary_search(envelopes.begin(), envelopes.end(), id)) ::unlink(path(id, kMessageSuffix).c_str());
	}
	std::vector<QueueEnvelope> result;
	for (const auto& id: entries)
	{
		bool ok = false;
		QueueEnvelope envelope = recover(id, ok);
		if (ok) result.push_back(std::move(envelope));
	}
	for (const auto& id: envelopes)
	{
		bool ok = false;
		QueueEnvelope envelope = recoverLegacy(id, ok);
		if (ok) result.push_back(std::move(envelope));
	}
	std::sort(result.begin(), result.end(), [](const QueueEnvelope& a, const QueueEnvelope& b) { return a.id < b.id; });
	return result;
}


std::vector<QueueEnvelope> RelayQueue::list() const
{
	std::set<std::string> ids;
	try
	{
		for (DirectoryIterator it(_dir), end; it != end; ++it)
		{
			const std::string& name = it.name();
			if (endsWith(name, kEntrySuffix)) ids.insert(name.substr(0, name.size() - 5));
			else if (endsWith(name, kEnvelopeSuffix)) ids.insert(name.substr(0, name.size() - 4));
		}
	}
	catch (const Poco::FileNotFoundException&)
	{
		return {}; // nothing enqueued yet
	}
	std::vector<QueueEnvelope> result;
	for (const auto& id: ids)
	{
		// An entry appears by rename() complete, and a legacy .env after its .msg: what
		// exists is whole; a message removed, quarantined or corrupt meanwhile is not listed.
		QueueEnvelope envelope;
		try
		{
			if (load(id, envelope) && (!envelope.legacy || ::access(path(id, kMessageSuffix).c_str(), F_OK) == 0))
				result.push_back(std::move(envelope));
		}
		catch (const Poco::Exception&)
		{
		}
	}
	return result;
}


bool RelayQueue::loadOneFile(const std::string& id, QueueEnvelope& envelope) const
/// False when there is no one-file entry of that id.
{
	const std::string entry = path(id, kEntrySuffix);
	std::string text;
	if (readWholeFileIfExists(path(id, kStateSuffix), text))
	{
		// A side state outliving its entry is the tail of a removal.
		if (::access(entry.c_str(), F_OK) != 0) return false;
		QueueEnvelope e = parseEnvelope(text);
		if (e.id != id) throw Poco::DataFormatException("state id does not match its file", path(id, kStateSuffix));
		envelope = std::move(e);
		return true;
	}
	Fd fd(::open(entry.c_str(), O_RDONLY | O_CLOEXEC));
	if (fd.get() < 0 && errno == ENOENT) return false;
	if (fd.get() < 0) throwErrno("cannot open", entry, errno);
	QueueEntryHead head;
	readHead(fd.get(), entry, head);
	if (head.id != id) throw Poco::DataFormatException("head id does not match its file", entry);
	envelope = head.envelope();
	return true;
}


bool RelayQueue::loadLegacy(const std::string& id, QueueEnvelope& envelope) const
{
	const std::string envPath = path(id, kEnvelopeSuffix);
	std::string text;
	if (!readWholeFileIfExists(envPath, text)) return false;
	QueueEnvelope e = parseEnvelope(text);
	if (e.id != id) throw Poco::DataFormatException("envelope id does not match its file", envPath);
	e.legacy = true;
	envelope = std::move(e);
	return true;
}


bool RelayQueue::load(const std::string& id, QueueEnvelope& envelope) const
{
	return loadOneFile(id, envelope) || loadLegacy(id, envelope);
}


QueuedMessage RelayQueue::open(const QueueEnvelope& envelope)
{
	const std::string& id = envelope.id;
	const std::string file = path(id, envelope.legacy ? kMessageSuffix : kEntrySuffix);
	Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
	if (fd.get() < 0) throwErrno("cannot open", file, errno);
	const std::uint64_t size = openSize(fd.get(), file);
	if (envelope.legacy)
	{
		if (envelope.size >= 0 && static_cast<std::uint64_t>(envelope.size) != size)
		{
			const std::string detail = "message has " + std::to_string(size) + " octets, the envelope says " + std::to_string(envelope.size);
			quarantine(id, "truncated", detail);
			throw Poco::DataFormatException("queued message truncated, moved to corrupt/", detail);
		}
		// No flag was recorded then: one pass over the message for BODY=8BITMIME.
		std::vector<char> buffer(std::size_t{64} * 1024);
		bool eightBit = false;
		for (std::uint64_t at = 0; !eightBit && at < size;)
		{
			const ssize_t n = ::pread(fd.get(), buffer.data(), buffer.size(), static_cast<off_t>(at));
			if (n < 0 && errno == EINTR) continue;
			if (n < 0) throwErrno("cannot read", file, errno);
			if (n == 0) break;
			eightBit = std::any_of(buffer.begin(), buffer.begin() + n, [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
			at += static_cast<std::uint64_t>(n);
		}
		return QueuedMessage(fd.release(), file, 0, size, size, false, eightBit);
	}
	QueueEntryHead head;
	const std::size_t length = readHead(fd.get(), file, head);
	if (size != length + head.bodySize)
	{
		const std::string detail = "message has " + std::to_string(size - length) + " octets, the head says " + std::to_string(head.bodySize);
		quarantine(id, "truncated", detail);
		throw Poco::DataFormatException("queued message truncated, moved to corrupt/", detail);
	}
	return QueuedMessage(fd.release(), file, length, head.bodySize, head.wireSize, true, head.eightBit);
}


std::string RelayQueue::readMessage(const std::string& id)
{
	QueueEnvelope envelope;
	if (!load(id, envelope)) throw Poco::FileNotFoundException("not queued", id);
	return open(envelope).whole();
}


void RelayQueue::update(const QueueEnvelope& envelope)
{
	const std::string final = path(envelope.id, envelope.legacy ? kEnvelopeSuffix : kStateSuffix);
	Write write;
	write.renames.emplace_back(final + kTempSuffix, final);
	writeFile(write.renames[0].first, formatEnvelope(envelope));
	commit(write);
}


void RelayQueue::remove(const std::string& id)
{
	// The part that makes it queued first (the entry; legacy: the envelope). With no side
	// file that is all: the unlink is not fsynced (Postfix removes a queue file the same
	// way), since a crash that undoes it only sends the message again, and the worker does
	// not wait for a group commit. A side file goes only once the entry's removal is
	// durable (the directory fsync the group commit shares): a crash then leaves at most a
	// .state or .msg alone, which scan() discards, never an entry that lost its state.
	const std::string entry = path(id, kEntrySuffix);
	if (_recycled.retire(_dir, entry) || ::unlink(entry.c_str()) == 0)
	{
		if (::access(path(id, kStateSuffix).c_str(), F_OK) != 0) return;
		Write write;
		commit(write);
		::unlink(path(id, kStateSuffix).c_str());
		return;
	}
	if (errno != ENOENT) throwErrno("cannot remove", entry, errno);
	if (::unlink(path(id, kEnvelopeSuffix).c_str()) != 0 && errno != ENOENT)
		throwErrno("cannot remove", path(id, kEnvelopeSuffix), errno);
	Write write;
	commit(write);
	::unlink(path(id, kStateSuffix).c_str());
	::unlink(path(id, kMessageSuffix).c_str());
}


} // namespace mail
