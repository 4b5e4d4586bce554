// imap_mailbox.h - an IMAP session's view of one Maildir: UIDs, flags, sizes, changes.
//
// Flags live in the file name as Maildir keeps them (`cur/BASE:2,FRS`: D draft, F flagged,
// R answered, S seen, T deleted), so every reader of the Maildir (POP3, the API, mutt)
// sees the same message and IMAP needs no other state than imap-uids.
#pragma once

#include "server/store/crlf_cache.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace mail {


struct ImapMessage
{
	std::uint32_t uid = 0;
	std::string base;             ///< file name before ':' (the UID list's key)
	std::string file;             ///< "new/NAME" or "cur/NAME:2,FLAGS", relative to the Maildir
	std::string flags;            ///< Maildir flag letters, sorted (D F P R S T)
	std::uint64_t size = 0;       ///< RFC822.SIZE: the message with CRLF line ends
	bool lfStored = false;        ///< every LF in the file is a line end (W= files), as POP3 reads them
	unsigned long long inode = 0; ///< the file's inode when last seen in its directory (CrlfCache::File::inode)
	std::int64_t date = 0;        ///< INTERNALDATE, seconds: the delivery time in the name, else the file's mtime
};


struct ImapChanges
/// What refresh() found since the last look, for the untagged replies.
{
	std::vector<std::uint32_t> expunged; ///< sequence numbers, each as it was when removed (reply in this order)
	bool countChanged = false;           ///< EXISTS to send
	std::vector<std::uint32_t> flagged;  ///< sequence numbers (after the expunges) whose flags changed
};


class ImapMailbox
/// Not thread-safe: one session owns it. Other sessions (IMAP, POP3, delivery) change the
/// Maildir under it; refresh() brings the view up to date at the points where IMAP may
/// tell the client (NOOP, IDLE, after most commands), never in the middle of a FETCH.
{
public:
	explicit ImapMailbox(const std::string& path, CrlfCache& cache = CrlfCache::shared());
	/// Takes the first look (creating the Maildir when missing). Throws Poco::Exception.
	~ImapMailbox();
	ImapMailbox(const ImapMailbox&) = delete;
	ImapMailbox& operator=(const ImapMailbox&) = delete;

	const std::string& path() const { return _path; }
	std::uint32_t uidValidity() const { return _validity; }
	std::uint32_t uidNext() const { return _uidNext; }
	std::size_t count() const { return _messages.size(); }
	const ImapMessage& at(std::uint32_t seq) const { return _messages[seq - 1]; } ///< 1 <= seq <= count()
	std::uint32_t largestUid() const { return _messages.empty() ? 0 : _messages.back().uid; }
	std::size_t countWithout(char flag) const;   ///< e.g. 'S': UNSEEN
	std::uint32_t firstWithout(char flag) const; ///< sequence number, 0: none

	bool changedOnDisk() const;
	/// Whether new/ or cur/ changed since the last look (two stat calls): IDLE's poll.
	ImapChanges refresh();
	/// Rescans; messages gone are dropped (listed in expunged), new ones get UIDs.

	std::shared_ptr<const CrlfText> text(std::uint32_t seq, std::string& scratch);
	/// The message with CRLF line ends (what POP3 RETR sends, before byte-stuffing), from
	/// the cache POP3 shares (CrlfCache) or read from the file (into scratch, reusable);
	/// null when the file is gone (expunged by someone else).
	bool read(std::uint32_t seq, std::string& out);
	/// The same text copied into out; false when the file is gone.

	bool setFlags(std::uint32_t seq, const std::string& flags);
	/// Renames the file to cur/BASE:2,FLAGS. The caller holds the mailbox lock.
	std::vector<std::string> expunge();
	/// Unlinks every message flagged T, fsyncs, and drops them from the view. Returns
	/// their file names; the caller sends EXPUNGE via refresh() ordering (see session).
	/// The caller holds the mailbox lock.

private:
	struct Scan;
	void scan(std::vector<ImapMessage>& found) const;
	bool locate(ImapMessage& message) const; ///< finds the file again after someone renamed it

	std::shared_ptr<const CrlfText> load(const ImapMessage& message, std::string& scratch);

	std::string _path;
	CrlfCache& _cache;
	int _dirFd = -1; ///< the Maildir (O_PATH): files are read and checked as "cur/NAME" from it
	std::uint32_t _validity = 0;
	std::uint32_t _uidNext = 1;
	std::vector<ImapMessage> _messages; ///< by UID
	std::int64_t _newStamp = -1;        ///< mtime (ns) of new/ at the last look
	std::int64_t _curStamp = -1;
};


std::string imapFlagsFromMaildir(const std::string& letters);
/// "FRS" -> "\Flagged \Answered \Seen" (IMAP order of the system flags).
bool maildirFlagFromImap(const std::string& flag, char& letter);
/// "\Seen" (any case) -> 'S'; false for flags we cannot store (keywords).


} // namespace mail
