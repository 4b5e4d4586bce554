// imap_uid_list.cpp - the IMAP UIDs of one Maildir: `imap-uids` beside new/ and cur/.
#include "server/imap/imap_uid_list.h"

#include "server/store/durable_file.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>


namespace mail {


namespace {


std::mutex registryMutex;
std::map<std::string, std::unique_ptr<std::mutex>> mailboxMutexes; ///< one per mailbox path, never removed (small)


std::mutex& mutexFor(const std::string& path)
{
	std::lock_guard<std::mutex> guard(registryMutex);
	auto& slot = mailboxMutexes[path];
	if (!slot) slot = std::make_unique<std::mutex>();
	return *slot;
}


bool parse(const std::string& data, ImapUids& uids)
{
	std::istringstream in(data);
	std::string magic;
	unsigned version = 0;
	std::uint64_t validity = 0, next = 0;
	if (!(in >> magic >> version >> validity >> next) || magic != "imap-uids" || version != 1 || validity == 0
		|| validity > 0xffffffffu || next == 0 || next > 0xffffffffu)
		return false;
	uids.validity = static_cast<std::uint32_t>(validity);
	uids.next = static_cast<std::uint32_t>(next);
	std::uint64_t uid = 0;
	std::string base;
	while (in >> uid >> base)
	{
		if (uid == 0 || uid >= uids.next) return false;
		uids.byBase[base] = static_cast<std::uint32_t>(uid);
	}
	return in.eof();
}


std::string format(const ImapUids& uids)
{
	std::multimap<std::uint32_t, const std::string*> byUid;
	for (const auto& entry: uids.byBase) byUid.emplace(entry.second, &entry.first);
	std::string out = "imap-uids 1 " + std::to_string(uids.validity) + " " + std::to_string(uids.next) + "\n";
	for (const auto& entry: byUid) out += std::to_string(entry.first) + " " + *entry.second + "\n";
	return out;
}


} // namespace


std::string imapUidListPath(const std::string& mailboxPath)
{
	return mailboxPath + "/imap-uids";
}


ImapUids assignImapUids(const std::string& mailboxPath, const std::vector<std::string>& bases)
{
	std::lock_guard<std::mutex> guard(mutexFor(mailboxPath));
	const std::string path = imapUidListPath(mailboxPath);
	ImapUids uids;
	std::string data;
	bool changed = false;
	const bool existed = readWholeFileIfExists(path, data);
	if (!existed || !parse(data, uids))
	{
		// A new UIDVALIDITY, later than any earlier one (RFC 9051 2.3.1.1: it must grow
		// when UIDs are not kept): the time; for a damaged file, which was written at
		// the latest this second, one more.
		const std::uint32_t now = static_cast<std::uint32_t>(std::time(nullptr));
		uids = ImapUids();
		uids.validity = existed ? now + 1 : now;
		changed = true;
	}
	std::map<std::string, std::uint32_t> kept;
	for (const std::string& base: bases)
	{
		auto found = uids.byBase.find(base);
		if (found != uids.byBase.end())
		{
			kept.emplace(base, found->second);
			continue;
		}
		if (kept.count(base)) continue;
		if (uids.next == 0xffffffffu) break; // out of UIDs: RFC 9051 would need a new UIDVALIDITY
		kept.emplace(base, uids.next++);
		changed = true;
	}
	if (kept.size() != uids.byBase.size()) changed = true;
	uids.byBase.swap(kept);
	if (changed)
	{
		writeFileDurably(path, path + ".tmp", format(uids));
		syncDirectory(mailboxPath);
	}
	return uids;
}


} // namespace mail
