// relay_queue.cpp - durable outbound queue: message + envelope files, group-committed writes, quarantine.
#include "server/store/queue/relay_queue.h"

#include "common/log.h"
#include "server/store/durable_file.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using Poco::DirectoryIterator;
using Poco::File;


namespace mail {


namespace {


const char* const kMessageSuffix = ".msg";
const char* const kEnvelopeSuffix = ".env";
const char* const kTempSuffix = ".tmp";


std::int64_t fileSize(const std::string& path)
/// -1 when the file is missing.
{
	struct stat st;
	return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}


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


void writeOut(int fd, const std::string& path, const std::string& data)
{
	std::size_t done = 0;
	while (done < data.size())
	{
		const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) throwErrno("cannot write", path, errno);
		done += static_cast<std::size_t>(n);
	}
}


std::int64_t copyWithoutFirstLineAsCrlf(const std::string& from, const std::string& to)
/// from without its first line, each LF as CRLF, into a new file to; returns the octets
/// written. Through one 64 KB buffer: the message is never whole in memory.
{
	constexpr std::size_t kChunk = std::size_t{64} * 1024;
	Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
	if (in.get() < 0) throwErrno("cannot open", from, errno);
	Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	if (out.get() < 0) throwErrno("cannot create", to, errno);
	std::vector<char> buffer(kChunk);
	std::string converted;
	converted.reserve(kChunk + kChunk / 2);
	bool skipping = true;
	std::int64_t written = 0;
	for (;;)
	{
		const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) throwErrno("cannot read", from, errno);
		if (n == 0) break;
		converted.clear();
		for (ssize_t i = 0; i < n; ++i)
		{
			const char c = buffer[static_cast<std::size_t>(i)];
			if (skipping)
			{
				skipping = c != '\n';
				continue;
			}
			if (c == '\n') converted += '\r';
			converted += c;
		}
		writeOut(out.get(), to, converted);
		written += static_cast<std::int64_t>(converted.size());
	}
	if (::close(out.release()) != 0) throwErrno("cannot close", to, errno);
	return written;
}


bool endsWith(const std::string& text, const std::string& suffix)
{
	return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
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
	// 2. Into place in order (.msg before .env); a failed item undoes its own renames.
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
	// 3. The directory once. A failure fails every item (new entries are removed, .env first).
	try
	{
		_sync.directory(_dir);
	}
	catch (...)
	{
		for (Write* w: batch)
		{
			if (w->error) continue;
			w->error = std::current_exception();
			if (!w->removeOnFailure) continue;
			for (auto it = w->renames.rbegin(); it != w->renames.rend(); ++it) ::unlink(it->second.c_str());
		}
	}
}


QueueEnvelope RelayQueue::newEnvelope(const std::string& id, const std::string& sender,
	const std::vector<std::string>& recipients)
{
	if (recipients.empty()) throw Poco::InvalidArgumentException("enqueue without recipients");
	if (id.empty()) throw Poco::InvalidArgumentException("enqueue without an id");
	ensureDirectory();
	QueueEnvelope envelope;
	envelope.id = id;
	envelope.sender = sender;
	for (const auto& r: recipients) envelope.recipients.push_back(QueuedRecipient{r, RecipientState::Pending, {}, {}, {}});
	envelope.arrival = Poco::Timestamp().epochTime();
	envelope.nextAttempt = envelope.arrival;
	return envelope;
}


void RelayQueue::commitNew(QueueEnvelope& envelope, const std::function<std::int64_t(const std::string& tmp)>& writeMessage)
{
	Write write;
	write.removeOnFailure = true;
	for (const char* suffix: {kMessageSuffix, kEnvelopeSuffix})
		write.renames.emplace_back(path(envelope.id, suffix) + kTempSuffix, path(envelope.id, suffix));
	try
	{
		envelope.size = writeMessage(write.renames[0].first);
		writeFile(write.renames[1].first, formatEnvelope(envelope));
	}
	catch (...)
	{
		::unlink(write.renames[0].first.c_str());
		throw;
	}
	commit(write);
	if (_listener) _listener(envelope);
}


std::string RelayQueue::enqueue(const std::string& id, const std::string& sender, const std::vector<std::string>& recipients,
	const std::string& message)
{
	QueueEnvelope envelope = newEnvelope(id, sender, recipients);
	commitNew(envelope, [&message](const std::string& tmp) {
		writeFile(tmp, message);
		return static_cast<std::int64_t>(message.size());
	});
	return id;
}


std::string RelayQueue::enqueueLfFile(const std::string& id, const std::string& sender,
	const std::vector<std::string>& recipients, const std::string& lfPath)
{
	QueueEnvelope envelope = newEnvelope(id, sender, recipients);
	commitNew(envelope, [&lfPath](const std::string& tmp) { return copyWithoutFirstLineAsCrlf(lfPath, tmp); });
	return id;
}


void RelayQueue::quarantine(const std::string& id, const std::string& reason, const std::string& detail)
{
	// The message first, so list() never sees an envelope whose message is elsewhere.
	const std::string dir = corruptDirectory();
	makeDirectory(dir);
	std::string moved;
	for (const char* suffix: {kMessageSuffix, kEnvelopeSuffix})
	{
		if (::rename(path(id, suffix).c_str(), std::string(dir).append("/").append(id).append(suffix).c_str()) == 0)
			moved += std::string(moved.empty() ? "" : ",") + (suffix + 1);
	}
	syncDirectory(dir);
	syncDirectory(_dir);
	Poco::Logger::get("relay").error("- relay queue-corrupt id=%s reason=%s moved=%s to=%s detail=%s", quoteForLog(id),
		reason, moved.empty() ? std::string("none") : moved, quoteForLog(dir), quoteForLog(detail));
}


std::vector<QueueEnvelope> RelayQueue::scan()
{
	ensureDirectory();
	std::vector<std::string> messages, envelopes, temps;
	for (DirectoryIterator it(_dir), end; it != end; ++it)
	{
		const std::string& name = it.name();
		if (endsWith(name, kTempSuffix)) temps.push_back(name);
		else if (endsWith(name, kEnvelopeSuffix)) envelopes.push_back(name.substr(0, name.size() - 4));
		else if (endsWith(name, kMessageSuffix)) messages.push_back(name.substr(0, name.size() - 4));
	}
	for (const auto& name: temps) ::unlink((_dir + "/" + name).c_str());
	std::sort(envelopes.begin(), envelopes.end());
	for (const auto& id: messages)
	{
		// Renamed just before its envelope, which never made it: no 250 was given for it.
		if (!std::binary_search(envelopes.begin(), envelopes.end(), id)) ::unlink(path(id, kMessageSuffix).c_str());
	}
	std::vector<QueueEnvelope> result;
	for (const auto& id: envelopes)
	{
		const std::int64_t size = fileSize(path(id, kMessageSuffix));
		if (size < 0)
		{
			quarantine(id, "no-message", "the envelope's message file is missing");
			continue;
		}
		QueueEnvelope envelope;
		try
		{
			if (!load(id, envelope)) continue;
		}
		catch (const Poco::Exception& exc)
		{
			quarantine(id, "unreadable", exc.displayText());
			continue;
		}
		if (envelope.size >= 0 && envelope.size != size)
		{
			quarantine(id, "truncated", "message has " + std::to_string(size) + " octets, the envelope says " + std::to_string(envelope.size));
			continue;
		}
		result.push_back(std::move(envelope));
	}
	return result;
}


std::vector<QueueEnvelope> RelayQueue::list() const
{
	std::vector<std::string> envelopes;
	try
	{
		for (DirectoryIterator it(_dir), end; it != end; ++it)
		{
			const std::string& name = it.name();
			if (endsWith(name, kEnvelopeSuffix)) envelopes.push_back(name.substr(0, name.size() - 4));
		}
	}
	catch (const Poco::FileNotFoundException&)
	{
		return {}; // nothing enqueued yet
	}
	std::sort(envelopes.begin(), envelopes.end());
	std::vector<QueueEnvelope> result;
	for (const auto& id: envelopes)
	{
		// An .env appears by rename() after its .msg is in place, so what exists is whole;
		// a message removed, quarantined or corrupt meanwhile is simply not listed.
		QueueEnvelope envelope;
		try
		{
			if (load(id, envelope) && ::access(path(id, kMessageSuffix).c_str(), F_OK) == 0)
				result.push_back(std::move(envelope));
		}
		catch (const Poco::Exception&)
		{
		}
	}
	return result;
}


bool RelayQueue::load(const std::string& id, QueueEnvelope& envelope) const
{
	const std::string envPath = path(id, kEnvelopeSuffix);
	std::string text;
	if (!readWholeFileIfExists(envPath, text)) return false;
	envelope = parseEnvelope(text);
	if (envelope.id != id) throw Poco::DataFormatException("envelope id does not match its file", envPath);
	return true;
}


std::string RelayQueue::readMessage(const std::string& id)
{
	QueueEnvelope envelope;
	if (!load(id, envelope))
	{
		// Removed meanwhile: what is left of the message, unchecked (as before), or ENOENT.
		return readWholeFile(path(id, kMessageSuffix));
	}
	return readMessage(envelope);
}


std::string RelayQueue::readMessage(const QueueEnvelope& envelope)
{
	std::string message = readWholeFile(path(envelope.id, kMessageSuffix));
	if (envelope.size >= 0 && envelope.size != static_cast<std::int64_t>(message.size()))
	{
		const std::string detail = "message has " + std::to_string(message.size()) + " octets, the envelope says " + std::to_string(envelope.size);
		quarantine(envelope.id, "truncated", detail);
		throw Poco::DataFormatException("queued message truncated, moved to corrupt/", detail);
	}
	return message;
}


void RelayQueue::update(const QueueEnvelope& envelope)
{
	Write write;
	write.renames.emplace_back(path(envelope.id, kEnvelopeSuffix) + kTempSuffix, path(envelope.id, kEnvelopeSuffix));
	writeFile(write.renames[0].first, formatEnvelope(envelope));
	commit(write);
}


void RelayQueue::remove(const std::string& id)
{
	if (::unlink(path(id, kEnvelopeSuffix).c_str()) != 0 && errno != ENOENT)
		throwErrno("cannot remove", path(id, kEnvelopeSuffix), errno);
	// The envelope's removal durable before the message goes (a crash leaves at most an
	// orphan .msg, which scan() discards), sharing the directory fsync with concurrent writes.
	Write write;
	commit(write);
	::unlink(path(id, kMessageSuffix).c_str());
}


} // namespace mail
