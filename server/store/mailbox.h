// mailbox.h - a POP3 session's snapshot of one Maildir: numbering, sizes, unique ids, deletions.
#pragma once

#include "server/store/crlf_cache.h"
#include "server/store/maildir.h" // maildirUid(), maildirSizeHint()

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace mail {


struct MailboxMessage
{
	std::string path;             ///< absolute path of the file at snapshot time
	std::uint64_t size = 0;       ///< RFC 1939 octet count (with CRLF line ends, as RETR sends it)
	bool lfStored = false;        ///< every LF in the file is a line end to send as CRLF (W= files)
	unsigned long long inode = 0; ///< the file's inode at snapshot time (CrlfCache::File::inode)
	std::string uid;              ///< UIDL: Maildir base name, or a stable hash of it when unfit
	bool deleted = false;         ///< marked by DELE; applied only by commitDeletions()
};


class Mailbox
/// Taken once at login from new/ and cur/ in one readdir pass each; the numbering does
/// not change for the rest of the session, so mail arriving later shows in the next
/// session. Messages are numbered in delivery order (Maildir names start with the time).
/// Not thread-safe: one session owns it, and the mailbox lock keeps other sessions out.
{
public:
	explicit Mailbox(const std::string& path, CrlfCache& cache = CrlfCache::shared());
	/// Snapshot of path/new and path/cur (a missing directory counts as empty).
	/// Throws Poco::FileException when a directory exists but cannot be read.
	~Mailbox();
	Mailbox(const Mailbox&) = delete;
	Mailbox& operator=(const Mailbox&) = delete;

	std::size_t count() const { return _messages.size(); } ///< numbers 1..count() (deleted included)
	std::size_t liveCount() const { return _messages.size() - _deletedCount; }
	std::uint64_t liveSize() const { return _totalSize - _deletedSize; }
	std::size_t deletedCount() const { return _deletedCount; }

	bool exists(std::uint64_t number) const;                   ///< in range and not marked deleted
	const MailboxMessage& message(std::uint64_t number) const; ///< requires exists(number)

	void markDeleted(std::uint64_t number); ///< requires exists(number)
	void undeleteAll();                     ///< RSET

	std::shared_ptr<const CrlfText> read(std::uint64_t number, std::string& scratch) const;
	/// The message with CRLF line ends, from the cache when an earlier read kept it there
	/// (CrlfCache), else read from its file (into scratch, a reusable buffer the session
	/// keeps), converted and kept; null when the file cannot be read.
	std::shared_ptr<const CrlfText> appendMessage(std::uint64_t number, std::string& out, std::string& scratch) const;
	/// RETR body: read(), then appendRetr() to out; nothing appended when null.

	bool appendTop(std::uint64_t number, std::uint64_t lines, std::string& out, std::string& scratch) const;
	/// TOP: the header, the blank line and the first `lines` body lines, stuffed, then ".\r\n".

	std::vector<std::string> deletedFiles() const; ///< file names (no directory) marked by DELE

	std::size_t commitDeletions();
	/// UPDATE: unlinks every marked message, then fsyncs new/ and cur/. Returns how many
	/// could not be removed (a file already gone counts as removed).

private:
	bool readFile(const MailboxMessage& message, std::string& scratch) const;
	int directory() const; ///< the Maildir opened (O_PATH) at the first read, AT_FDCWD if it cannot be

	std::string _path;
	mutable int _dirFd = -1;
	std::vector<MailboxMessage> _messages;
	CrlfCache& _cache; ///< RETR's converted messages, shared by the sessions
	std::uint64_t _totalSize = 0;
	std::uint64_t _deletedSize = 0;
	std::size_t _deletedCount = 0;
};


void appendRetr(std::string& out, const CrlfText& message);
/// RETR's wire form of a message: its text byte-stuffed (retrText()), then appendRetrEnd().
void appendRetrEnd(std::string& out, const std::string& text);
/// What follows the text (stuffed or, without dotLines, as it is): CRLF when it does not
/// end with a line end, then ".\r\n".

void appendStuffed(std::string& out, const char* data, std::size_t length, bool lfStored = false);
/// Appends data with every line starting with '.' doubled (RFC 1939 byte-stuffing) and
/// CRLF line ends, then CRLF if data does not end with a line end, then ".\r\n".
/// lfStored: every LF becomes CRLF (a CR before it is content, as SMTP received it);
/// else only a bare LF does (files written with CRLF, or by other programs).

std::uint64_t wireSize(const char* data, std::size_t length);
/// The RFC 1939 size of a file without W= in its name: its size plus one per bare LF.

std::size_t topLength(const char* data, std::size_t length, std::uint64_t lines);
/// Length of the header, the blank line after it and the next `lines` lines.


} // namespace mail
