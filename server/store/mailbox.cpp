// mailbox.cpp - a POP3 session's snapshot of one Maildir: numbering, sizes, unique ids, deletions.
#include "server/store/mailbox.h"

#include "server/message/dot_stuffing.h"
#include "server/store/durable_file.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <tuple>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


namespace mail {


namespace {


const char* const kSubdirs[] = {"new", "cur"};


struct SortKey
/// Delivery order: `<seconds>.M<microseconds>...`, compared numerically, then by name.
{
	std::uint64_t seconds = 0;
	std::uint64_t micros = 0;
};


std::uint64_t leadingNumber(const std::string& text, std::size_t& pos)
{
	std::uint64_t value = 0;
	std::size_t digits = 0;
	while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 19)
	{
		value = value * 10 + static_cast<unsigned>(text[pos] - '0');
		++pos;
		++digits;
	}
	return value;
}


SortKey sortKey(const std::string& path)
{
	SortKey key;
	std::size_t pos = path.rfind('/') + 1;
	key.seconds = leadingNumber(path, pos);
	if (path.compare(pos, 2, ".M") == 0)
	{
		pos += 2;
		key.micros = leadingNumber(path, pos);
	}
	return key;
}


void scanDirectory(const std::string& dir, std::vector<MailboxMessage>& messages)
{
	DIR* handle = ::opendir(dir.c_str());
	if (!handle)
	{
		if (errno == ENOENT) return;
		throw Poco::FileException("cannot read mailbox directory " + dir + ": " + std::strerror(errno));
	}
	const int dirFd = ::dirfd(handle);
	while (const dirent* entry = ::readdir(handle))
	{
		if (entry->d_name[0] == '.') continue; // ".", ".." and hidden files are not messages
		MailboxMessage message;
		// One allocation for the path; the name is read where it ends (no copy of its own).
		const std::size_t nameLength = std::strlen(entry->d_name);
		message.path.reserve(dir.size() + 1 + nameLength);
		message.path.append(dir).append(1, '/').append(entry->d_name, nameLength);
		const std::string_view name(message.path.data() + dir.size() + 1, nameLength);
		// W= (ours since LF storage, and Dovecot's): the wire size. S= alone: written
		// with CRLF by an older version, so the file size is the wire size. Neither (a
		// file from another program): read it once and count its bare LFs.
		message.lfStored = maildirSizeHint(name, message.size, ",W=");
		const bool named = message.lfStored || maildirSizeHint(name, message.size, ",S=");
		message.inode = entry->d_ino;
		if (!named || entry->d_type != DT_REG)
		{
			struct stat st;
			if (::fstatat(dirFd, entry->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode)) continue;
			message.inode = st.st_ino;
			if (!named)
			{
				std::string data;
				try
				{
					data = readWholeFile(message.path);
				}
				catch (const Poco::Exception&)
				{
					continue; // unreadable: not offered, as if not there
				}
				message.size = wireSize(data.data(), data.size());
			}
		}
		message.uid = maildirUid(name);
		messages.push_back(std::move(message));
	}
	::closedir(handle);
}


} // namespace


Mailbox::Mailbox(const std::string& path, CrlfCache& cache):
	_path(path),
	_cache(cache)
{
	for (const char* sub: kSubdirs) scanDirectory(path + '/' + sub, _messages);
	std::vector<std::pair<SortKey, std::size_t>> order;
	order.reserve(_messages.size());
	for (std::size_t i = 0; i < _messages.size(); ++i) order.emplace_back(sortKey(_messages[i].path), i);
	std::sort(order.begin(), order.end(), [this](const auto& a, const auto& b) {
		return std::tie(a.first.seconds, a.first.micros, _messages[a.second].uid)
			< std::tie(b.first.seconds, b.first.micros, _messages[b.second].uid);
	});
	std::vector<MailboxMessage> sorted;
	sorted.reserve(_messages.size());
	for (const auto& entry: order) sorted.push_back(std::move(_messages[entry.second]));
	_messages.swap(sorted);
	for (const MailboxMessage& message: _messages) _totalSize += message.size;
}


Mailbox::~Mailbox()
{
	if (_dirFd >= 0) ::close(_dirFd);
}


int Mailbox::directory() const
{
	if (_dirFd < 0) _dirFd = ::open(_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	return _dirFd >= 0 ? _dirFd : AT_FDCWD;
}


bool Mailbox::exists(std::uint64_t number) const
{
	return number >= 1 && number <= _messages.size() && !_messages[number - 1].deleted;
}


const MailboxMessage& Mailbox::message(std::uint64_t number) const
{
	poco_assert(number >= 1 && number <= _messages.size());
	return _messages[number - 1];
}


void Mailbox::markDeleted(std::uint64_t number)
{
	poco_assert(exists(number));
	MailboxMessage& message = _messages[number - 1];
	message.deleted = true;
	++_deletedCount;
	_deletedSize += message.size;
}


void Mailbox::undeleteAll()
{
	for (MailboxMessage& message: _messages) message.deleted = false;
	_deletedCount = 0;
	_deletedSize = 0;
}


bool Mailbox::readFile(const MailboxMessage& message, std::string& scratch) const
{
	const int fd = ::open(message.path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) return false;
	// One read for the expected size (the wire size, at least the file's) plus one octet;
	// keep reading only when the file is larger than announced.
	scratch.resize(static_cast<std::size_t>(message.size) + 1);
	std::size_t have = 0;
	for (;;)
	{
		if (have == scratch.size()) scratch.resize(scratch.size() * 2);
		const ssize_t n = ::read(fd, &scratch[have], scratch.size() - have);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0)
		{
			::close(fd);
			return false;
		}
		if (n == 0) break;
		have += static_cast<std::size_t>(n);
		// A regular file's read comes back short only at its end: no second read for the 0.
		if (have < scratch.size()) break;
	}
	::close(fd);
	scratch.resize(have);
	return true;
}


std::shared_ptr<const CrlfText> Mailbox::read(std::uint64_t number, std::string& scratch) const
{
	const MailboxMessage& wanted = message(number);
	const int dir = directory();
	// Relative to the Maildir: "new/NAME", a two-step path walk instead of the whole path's.
	const char* name = dir == AT_FDCWD ? wanted.path.c_str() : wanted.path.c_str() + _path.size() + 1;
	// The inode the login's scan saw: a kept text is served without a stat (CrlfCache).
	return _cache.load(CrlfCache::File{wanted.path, dir, name, wanted.lfStored, wanted.inode}, scratch);
}


std::shared_ptr<const CrlfText> Mailbox::appendMessage(std::uint64_t number, std::string& out,
	std::string& scratch) const
{
	std::shared_ptr<const CrlfText> text = read(number, scratch);
	if (text) appendRetr(out, *text);
	return text;
}


bool Mailbox::appendTop(std::uint64_t number, std::uint64_t lines, std::string& out, std::string& scratch) const
{
	if (!readFile(message(number), scratch)) return false;
	appendStuffed(out, scratch.data(), topLength(scratch.data(), scratch.size(), lines), message(number).lfStored);
	return true;
}


std::vector<std::string> Mailbox::deletedFiles() const
{
	std::vector<std::string> files;
	for (const MailboxMessage& message: _messages)
	{
		if (message.deleted) files.push_back(message.path.substr(message.path.rfind('/') + 1));
	}
	return files;
}


std::size_t Mailbox::commitDeletions()
{
	std::size_t failures = 0;
	for (const MailboxMessage& message: _messages)
	{
		if (!message.deleted) continue;
		_cache.forget(message.path);
		if (::unlink(message.path.c_str()) != 0 && errno != ENOENT) ++failures;
	}
	if (_deletedCount == 0) return 0;
	for (const char* sub: kSubdirs)
	{
		// Without the directory fsync a crash could bring removed messages back.
		try
		{
			syncDirectory(_path + '/' + sub);
		}
		catch (const DurableFileError& error)
		{
			if (error.error() != ENOENT) return _deletedCount; // a missing directory has nothing to lose
		}
	}
	return failures;
}


void appendRetr(std::string& out, const CrlfText& message)
{
	out += message.retrText();
	appendRetrEnd(out, message.text);
}


void appendRetrEnd(std::string& out, const std::string& text)
{
	if (!text.empty() && text.back() != '\n') out += "\r\n";
	out += ".\r\n";
}


void appendStuffed(std::string& out, const char* data, std::size_t length, bool lfStored)
{
	appendDotStuffedCrlf(out, data, length, lfStored);
	if (length > 0 && data[length - 1] != '\n') out += "\r\n";
	out += ".\r\n";
}


std::uint64_t wireSize(const char* data, std::size_t length)
{
	std::uint64_t size = length;
	for (std::size_t i = 0; i < length; ++i)
	{
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) ++size;
	}
	return size;
}


std::size_t topLength(const char* data, std::size_t length, std::uint64_t lines)
{
	std::size_t pos = 0;
	bool sawBlank = false;
	while (pos < length && !sawBlank)
	{
		const void* nl = std::memchr(data + pos, '\n', length - pos);
		if (!nl) return length; // header without an end: it is the whole message
		const std::size_t next = static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1;
		const std::size_t lineLength = next - pos;
		sawBlank = lineLength == 1 || (lineLength == 2 && data[pos] == '\r');
		pos = next;
	}
	for (std::uint64_t i = 0; i < lines && pos < length; ++i)
	{
		const void* nl = std::memchr(data + pos, '\n', length - pos);
		pos = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1 : length;
	}
	return pos;
}


} // namespace mail
