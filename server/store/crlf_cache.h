// crlf_cache.h - the wire form of messages POP3 and IMAP send more than once, kept in memory.
//
// A Maildir file holds a message with LF ends; RETR and FETCH send it with CRLF ends (RETR
// also byte-stuffed), so the kernel cannot send the file as it is (no sendfile). Measured per
// RETR (bench/results/notes.md): open + read + close + conversion cost ~7 us of CPU, a copy of
// the converted form kept from an earlier read ~0.2 us, and one writev of the file's lines
// with CRLF pieces between them ~11 us (a vector entry per line end costs more than the copy
// it saves). So the converted form is kept, for messages read again (a client that leaves
// mail on the server, several clients or devices on one mailbox), and the sessions hand it
// to the socket as it is (SessionIo::attach), without copying it.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <fcntl.h>


namespace mail {


struct CrlfText
/// One message as POP3 and IMAP send it.
{
	std::string text;      ///< CRLF line ends (IMAP's BODY[] literal; RETR's before byte-stuffing)
	std::string stuffed;   ///< when dotLines: text byte-stuffed (RFC 1939), as RETR sends it
	std::string messageId; ///< its Message-ID field ("" without one), for the journal
	bool dotLines = false; ///< some line starts with '.': RETR sends stuffed, not text

	const std::string& retrText() const { return dotLines ? stuffed : text; }
	/// RETR's form, to which only appendRetrEnd() (mailbox.h) adds the end.
	std::size_t bytes() const { return text.size() + stuffed.size(); }
};


class CrlfCache
/// Path -> CrlfText, at most maxBytes of text (both forms) in all, the least recently used dropped
/// first. A Maildir file's content never changes under its name (a new flag is a new name;
/// names are unique), but a restore can put another file there: each entry keeps the
/// file's stamp (device, inode, size, change time) taken from the open file it was read
/// from. A caller that scanned the directory gives the inode readdir showed it (File::inode)
/// and an entry is served only for that inode, without a syscall: a file renamed over the
/// name before that scan (a new inode) is read afresh; one replaced or removed after it
/// is, for that session, the message it listed (POP3's snapshot: the text its LIST size
/// counted), or an error when it was not kept. Other content under the same name and
/// inode (a rewrite in place, or a new file given the freed inode number) breaks the
/// Maildir convention and is not looked for. Without File::inode, find() stats the file
/// (fstatat, ~3 us on this VM: 21 % of POP3's CPU in round 8's profile). forget() drops a
/// removed or renamed file's entry. Thread-safe.
{
public:
	explicit CrlfCache(std::size_t maxBytes);

	static CrlfCache& shared(); ///< the process's one cache (kMaxBytes)
	static constexpr std::size_t kMaxBytes = std::size_t{64} * 1024 * 1024;
	/// 64 MiB: the bench's 10,000 messages of ~1.3 KB fit several times over; bounded
	/// whatever the mailboxes hold.

	struct File
	/// Where a message file is: path (the cache's key, absolute) and the same file as
	/// name relative to the open directory dirFd (AT_FDCWD: name is path).
	{
		const std::string& path;
		int dirFd = AT_FDCWD;
		const char* name = nullptr; ///< null: path
		bool lfStored = false;      ///< every LF is a line end to send as CRLF (W= files)
		unsigned long long inode = 0;
		///< the file's inode as the caller's scan of its directory saw it (readdir's
		///< d_ino); 0: unknown, find() stats the file instead
	};

	std::shared_ptr<const CrlfText> load(const File& file, std::string& scratch);
	/// The kept text when its file is unchanged, else the file read (into scratch, a
	/// reusable buffer the session keeps), converted and kept. Null when the file cannot
	/// be opened or read (errno says why).

	std::shared_ptr<const CrlfText> find(const File& file);
	/// The kept text, or null (also when its file changed or is gone; with File::inode:
	/// when the entry was read from another inode).
	void keep(const std::string& path, std::shared_ptr<const CrlfText> text);
	/// Keeps text for path, stamped with the file as it is now (a text over a quarter of
	/// maxBytes is not kept).
	void forget(const std::string& path);
	std::size_t bytes() const; ///< text kept now

	static std::shared_ptr<CrlfText> convert(const char* data, std::size_t length, bool lfStored);
	/// The CrlfText of a file's content.

private:
	struct FileStamp
	{
		unsigned long long device = 0, inode = 0, size = 0, changedNs = 0;
		bool operator==(const FileStamp& other) const;
	};
	static bool stampAt(int dirFd, const char* name, FileStamp& stamp);
	void keepStamped(const std::string& path, std::shared_ptr<const CrlfText> text, const FileStamp& stamp);
	struct Entry
	{
		std::shared_ptr<const CrlfText> text;
		FileStamp stamp;
		std::list<std::string>::iterator age;
	};
	void drop(std::unordered_map<std::string, Entry>::iterator it);

	const std::size_t _maxBytes;
	mutable std::mutex _mutex;
	std::unordered_map<std::string, Entry> _entries;
	std::list<std::string> _ages; ///< most recently used first
	std::size_t _bytes = 0;
};


} // namespace mail
