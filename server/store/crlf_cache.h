// crlf_cache.h - the wire form of messages POP3 sends more than once, kept in memory.
//
// A Maildir file holds a message with LF ends; RETR sends it byte-stuffed with CRLF ends,
// so the kernel cannot send the file as it is (no sendfile). Measured per RETR
// (bench/results/notes.md): open + read + close + conversion cost ~7 us of CPU, a copy of
// the converted form kept from an earlier read ~0.2 us, and one writev of the file's
// lines with CRLF pieces between them ~11 us (a vector entry per line end costs more than
// the copy it saves). So the converted form is kept, for messages read again (a client
// that leaves mail on the server, several clients of one mailbox).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>


namespace mail {


class CrlfCache
/// Path -> the message as RETR sends it (dot-stuffed, CRLF, with the closing ".\r\n"),
/// at most maxBytes of text in all, the least recently used dropped first. A Maildir
/// file's content should never change under its name (a new flag is a new name), but a
/// hand edit or a restore can do it: each entry keeps the file's stamp (device, inode,
/// size, change time) and find() stats the file, so an entry whose file changed is
/// dropped instead of served (a stat costs far less than the read it saves). forget()
/// drops a removed file's. Thread-safe.
{
public:
	explicit CrlfCache(std::size_t maxBytes);

	static CrlfCache& shared(); ///< the process's one cache (kMaxBytes)
	static constexpr std::size_t kMaxBytes = std::size_t{64} * 1024 * 1024;
	/// 64 MiB: the bench's 10,000 messages of ~1.3 KB fit several times over; bounded
	/// whatever the mailboxes hold.

	std::shared_ptr<const std::string> find(const std::string& path);
	/// The kept text, or null.
	void keep(const std::string& path, std::shared_ptr<const std::string> text);
	/// Keeps text for path (a text over a quarter of maxBytes is not kept).
	void forget(const std::string& path);
	std::size_t bytes() const; ///< text kept now

private:
	struct FileStamp
	{
		unsigned long long device = 0, inode = 0, size = 0, changedNs = 0;
		bool operator==(const FileStamp& other) const;
	};
	static bool stampOf(const std::string& path, FileStamp& stamp);
	struct Entry
	{
		std::shared_ptr<const std::string> text;
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
