// imap_mailbox.cpp - an IMAP session's view of one Maildir: UIDs, flags, sizes, changes.
#include "server/imap/imap_mailbox.h"

#include "server/imap/imap_uid_list.h"
#include "server/store/durable_file.h"
#include "server/store/mailbox.h"
#include "server/store/maildir.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


namespace mail {


namespace {


/// IMAP's system flags and their Maildir letters, in the order IMAP lists them.
const struct
{
	const char* imap;
	char letter;
} kFlags[] = {{"\\Seen", 'S'}, {"\\Answered", 'R'}, {"\\Flagged", 'F'}, {"\\Deleted", 'T'}, {"\\Draft", 'D'}};


std::string flagsOf(const std::string& name)
/// The letters after ":2," in a Maildir file name, sorted and without repeats.
{
	const std::size_t info = name.find(":2,");
	if (info == std::string::npos) return std::string();
	std::string letters;
	for (std::size_t i = info + 3; i < name.size(); ++i)
	{
		const char c = name[i];
		if (c >= 'A' && c <= 'Z' && letters.find(c) == std::string::npos) letters += c;
	}
	std::sort(letters.begin(), letters.end());
	return letters;
}


std::int64_t stampOf(const std::string& dir)
{
	struct stat st;
	if (::stat(dir.c_str(), &st) != 0) return -1;
	return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}


std::int64_t deliveryTime(const std::string& fullPath)
{
	const std::size_t slash = fullPath.rfind('/');
	std::int64_t seconds = 0;
	std::size_t digits = 0;
	for (std::size_t i = slash + 1; i < fullPath.size() && fullPath[i] >= '0' && fullPath[i] <= '9' && digits < 12; ++i, ++digits)
		seconds = seconds * 10 + (fullPath[i] - '0');
	if (digits >= 9) return seconds;
	struct stat st;
	return ::stat(fullPath.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_mtime) : 0;
}


} // namespace


std::string imapFlagsFromMaildir(const std::string& letters)
{
	std::string out;
	for (const auto& flag: kFlags)
	{
		if (letters.find(flag.letter) == std::string::npos) continue;
		if (!out.empty()) out += ' ';
		out += flag.imap;
	}
	return out;
}


bool maildirFlagFromImap(const std::string& flag, char& letter)
{
	for (const auto& known: kFlags)
	{
		if (strcasecmp(flag.c_str(), known.imap) == 0)
		{
			letter = known.letter;
			return true;
		}
	}
	return false;
}


ImapMailbox::ImapMailbox(const std::string& path, CrlfCache& cache):
	_path(path),
	_cache(cache)
{
	ensureMaildir(path);
	_dirFd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	refresh();
}


ImapMailbox::~ImapMailbox()
{
	if (_dirFd >= 0) ::close(_dirFd);
}


std::size_t ImapMailbox::countWithout(char flag) const
{
	return static_cast<std::size_t>(std::count_if(_messages.begin(), _messages.end(),
		[flag](const ImapMessage& m) { return m.flags.find(flag) == std::string::npos; }));
}


std::uint32_t ImapMailbox::firstWithout(char flag) const
{
	for (std::size_t i = 0; i < _messages.size(); ++i)
	{
		if (_messages[i].flags.find(flag) == std::string::npos) return static_cast<std::uint32_t>(i + 1);
	}
	return 0;
}


bool ImapMailbox::changedOnDisk() const
{
	return stampOf(_path + "/new") != _newStamp || stampOf(_path + "/cur") != _curStamp;
}


void ImapMailbox::scan(std::vector<ImapMessage>& found) const
{
	// POP3's snapshot reads new/ and cur/ in delivery order with the same sizes.
	const Mailbox snapshot(_path);
	const std::size_t prefix = _path.size() + 1;
	found.reserve(snapshot.count());
	for (std::uint64_t n = 1; n <= snapshot.count(); ++n)
	{
		const MailboxMessage& m = snapshot.message(n);
		ImapMessage message;
		message.file = m.path.substr(prefix);
		const std::string name = message.file.substr(4);
		message.base = name.substr(0, name.find(':'));
		message.flags = flagsOf(name);
		message.size = m.size;
		message.lfStored = m.lfStored;
		message.inode = m.inode;
		message.date = deliveryTime(m.path);
		found.push_back(std::move(message));
	}
}


ImapChanges ImapMailbox::refresh()
{
	ImapChanges changes;
	_newStamp = stampOf(_path + "/new");
	_curStamp = stampOf(_path + "/cur");
	std::vector<ImapMessage> found;
	scan(found);
	std::map<std::string, ImapMessage*> byBase;
	for (ImapMessage& message: found) byBase.emplace(message.base, &message);

	std::map<std::string, std::uint32_t> known;
	for (const ImapMessage& message: _messages) known.emplace(message.base, message.uid);
	bool unknown = _validity == 0;
	for (const ImapMessage& message: found) unknown = unknown || !known.count(message.base);
	if (unknown)
	{
		std::vector<std::string> bases;
		bases.reserve(found.size());
		for (const ImapMessage& message: found) bases.push_back(message.base);
		const ImapUids uids = assignImapUids(_path, bases);
		if (_validity == 0) _validity = uids.validity;
		_uidNext = uids.next;
		for (ImapMessage& message: found)
		{
			auto uid = uids.byBase.find(message.base);
			if (uid != uids.byBase.end()) message.uid = uid->second;
		}
	}

	std::vector<ImapMessage> next;
	next.reserve(found.size());
	std::uint32_t removed = 0;
	for (std::size_t i = 0; i < _messages.size(); ++i)
	{
		auto now = byBase.find(_messages[i].base);
		if (now == byBase.end())
		{
			changes.expunged.push_back(static_cast<std::uint32_t>(i + 1) - removed);
			++removed;
			continue;
		}
		ImapMessage kept = _messages[i];
		if (kept.flags != now->second->flags) changes.flagged.push_back(static_cast<std::uint32_t>(next.size() + 1));
		kept.file = now->second->file;
		kept.inode = now->second->inode;
		kept.flags = now->second->flags;
		now->second->uid = 0; // taken
		next.push_back(std::move(kept));
	}
	std::vector<ImapMessage*> added;
	for (ImapMessage& message: found)
	{
		if (message.uid != 0 && !known.count(message.base)) added.push_back(&message);
	}
	std::sort(added.begin(), added.end(), [](const ImapMessage* a, const ImapMessage* b) { return a->uid < b->uid; });
	for (ImapMessage* message: added)
	{
		if (!next.empty() && message->uid <= next.back().uid) continue; // never reuse or reorder
		next.push_back(std::move(*message));
	}
	changes.countChanged = !added.empty() || removed > 0;
	_messages.swap(next);
	if (!_messages.empty()) _uidNext = std::max(_uidNext, _messages.back().uid + 1);
	return changes;
}


bool ImapMailbox::locate(ImapMessage& message) const
{
	for (const char* sub: {"cur", "new"})
	{
		DIR* dir = ::opendir((_path + "/" + sub).c_str());
		if (!dir) continue;
		bool found = false;
		while (const dirent* entry = ::readdir(dir))
		{
			const std::string name = entry->d_name;
			if (name.compare(0, message.base.size(), message.base) == 0
				&& (name.size() == message.base.size() || name[message.base.size()] == ':'))
			{
				message.file = std::string(sub) + "/" + name;
				message.inode = entry->d_ino;
				message.flags = flagsOf(name);
				found = true;
				break;
			}
		}
		::closedir(dir);
		if (found) return true;
	}
	return false;
}


std::shared_ptr<const CrlfText> ImapMailbox::load(const ImapMessage& message, std::string& scratch)
{
	const std::string path = _path + "/" + message.file;
	// Relative to the folder's handle where it opened (as Mailbox::read), else by the whole path.
	const bool relative = _dirFd >= 0;
	return _cache.load(CrlfCache::File{path, relative ? _dirFd : AT_FDCWD, relative ? message.file.c_str() : nullptr,
						   message.lfStored, message.inode},
		scratch);
}


std::shared_ptr<const CrlfText> ImapMailbox::text(std::uint32_t seq, std::string& scratch)
{
	ImapMessage& message = _messages[seq - 1];
	std::shared_ptr<const CrlfText> found = load(message, scratch);
	// Renamed by another session (a flag changed): found again under its new name.
	if (!found && errno == ENOENT && locate(message)) found = load(message, scratch);
	return found;
}


bool ImapMailbox::read(std::uint32_t seq, std::string& out)
{
	std::string scratch;
	const std::shared_ptr<const CrlfText> found = text(seq, scratch);
	if (!found) return false;
	out = found->text;
	return true;
}


bool ImapMailbox::setFlags(std::uint32_t seq, const std::string& flags)
{
	ImapMessage& message = _messages[seq - 1];
	const std::string target = "cur/" + message.base + ":2," + flags;
	if (target == message.file) return true;
	for (int attempt = 0; attempt < 2; ++attempt)
	{
		const std::string from = _path + "/" + message.file;
		if (::rename(from.c_str(), (_path + "/" + target).c_str()) == 0)
		{
			_cache.forget(from); // read again under the new name
			message.file = target;
			message.flags = flags;
			return true;
		}
		if (errno != ENOENT || !locate(message)) return false;
	}
	return false;
}


std::vector<std::string> ImapMailbox::expunge()
{
	std::vector<std::string> files;
	std::vector<ImapMessage> kept;
	for (ImapMessage& message: _messages)
	{
		if (message.flags.find('T') == std::string::npos)
		{
			kept.push_back(std::move(message));
			continue;
		}
		const std::string path = _path + "/" + message.file;
		_cache.forget(path);
		if (::unlink(path.c_str()) == 0 || errno == ENOENT)
		{
			files.push_back(message.file.substr(4));
			continue;
		}
		kept.push_back(std::move(message));
	}
	if (!files.empty())
	{
		syncDirectory(_path + "/cur");
		syncDirectory(_path + "/new");
	}
	_messages.swap(kept);
	return files;
}


} // namespace mail
