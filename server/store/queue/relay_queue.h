// relay_queue.h - the durable outbound queue (DATA/NAME/queue/) that SMTP writes and relay reads.
//
// One queued message is one file, <id>.mail: a small head (queue_envelope.h: id, sender,
// recipients, arrival, the message's size, wire size and 8-bit flag; LF lines, fixed
// width numbers) followed by the message as SMTP stored it (LF line ends, no
// Return-Path). For a message whose recipients are all remote it is the SMTP spool file
// itself: DATA streams into <id>.mail.tmp in this directory after the head, the head is
// rewritten in place with the final sizes, and the group commit makes it durable and
// renames it into place: one inode, written once, synced once. A message that also has
// local recipients is spooled as the Maildirs want it (Return-Path first) and hard-linked
// into them; that inode must never carry the envelope (Bcc) nor change, so the queue gets
// its own <id>.mail with the message copied after the head (two inodes; a link plus an
// envelope file would cost the same). What changes later (attempts, next attempt, each
// recipient's state, hold) lives in an optional side file <id>.state, the full envelope
// in the .env text, written atomically (temp file, rename) by the same group commit; it
// exists only once a message was tried and not finished, or held.
//
// Writes are group-committed: each writer writes its temp file unsynced, then one leader
// makes the batch's files durable together (server/store/batch_sync.h: one syncfs() of
// the file system), renames each into place and fsyncs the directory once; only then does
// the writer return (and SMTP answer 250). Recovery (scan()) discards temp files (an
// interrupted write: never acknowledged) and a .state whose .mail is gone (an
// interrupted removal, which unlinks .mail first); entries that cannot be trusted
// (unreadable head or state, a message shorter or longer than its head says) are moved
// into <queue>/corrupt/ for a human, never deleted.
//
// Entries written before the one-file queue, <id>.msg (CRLF) and <id>.env (version 1 or
// 2), are still recovered, listed, sent, updated and removed as they are (`legacy`): the
// .env appears after its .msg and is removed first, so a .msg alone is an unfinished
// write and is discarded.
#pragma once

#include "server/store/queue/queue_envelope.h"
#include "server/store/queue/queued_message.h"
#include "server/store/queue/recycled_entries.h"
#include "server/store/batch_sync.h"
#include "server/store/group_commit.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>


namespace mail {


class RelayQueue
{
public:
	using Listener = std::function<void(const QueueEnvelope& envelope)>;

	explicit RelayQueue(const std::string& queueDir, BatchSync sync = BatchSync());
	/// sync: how a batch is made durable (tests inject a recorder).

	std::string enqueue(const std::string& id, const std::string& sender, const std::vector<std::string>& recipients,
		const std::string& message);
	/// Writes a one-file entry for a message given with CRLF line ends (stored with LF)
	/// durably under the message's id (minted at its acceptance: the queue names it as the
	/// 250 reply did) and wakes the relay workers. Returns id. Throws Poco::Exception on
	/// failure, leaving nothing behind.

	QueueEntryHead newHead(const std::string& id, const std::string& sender, const std::vector<std::string>& recipients);
	/// The head of a new entry arriving now (sizes still 0). Throws without an id or recipients.
	std::string spoolDirectory();
	/// This directory, created if needed: where SMTP spools a message for remote recipients only.
	static std::string spoolName(const std::string& id) { return id + ".mail.tmp"; }
	/// The name of that spool file (a temp file: discarded by scan() if never committed).
	OpenFile createSpool(const std::string& id);
	/// spoolName(id) in spoolDirectory(), created empty and open for writing: a finished
	/// entry's file taken over when one is ready (RecycledEntries), else a new file
	/// (O_EXCL). Throws DurableFileError.
	void commitSpool(const QueueEntryHead& head);
	/// Makes the spool file spoolName(head.id) durable and puts it in place as the entry:
	/// written and closed by the caller, starting with formatEntryHead(head) for this very
	/// head. Wakes the relay workers. On failure throws and removes the spool file.
	void enqueueCopy(const QueueEntryHead& head, const std::string& path, std::uint64_t offset);
	/// A new entry with head and the head.bodySize octets of the file at path from offset
	/// (an LF spool file the Maildirs share), copied in the kernel, never through memory.

	void setListener(Listener listener);
	/// Called (on the enqueuing thread) after each successful enqueue.
	/// Set once before anything is enqueued.

	std::vector<QueueEnvelope> scan();
	/// Start-up recovery only, before any enqueue can run: every complete queued message,
	/// oldest first. Removes leftovers of interrupted writes and removals (above) and
	/// quarantines untrustworthy entries in corrupt/, logging each. Creates the directory.

	std::vector<QueueEnvelope> list() const;
	/// A read-only view for monitoring, safe at any time from any thread, alongside
	/// enqueue, update() and remove(): every queued message that is in place, oldest
	/// first. Never creates, deletes or renames a file; skips temp files, unreadable
	/// entries and corrupt/.

	bool load(const std::string& id, QueueEnvelope& envelope) const;
	/// The envelope (its .state, else its head; legacy: its .env). False if the message is
	/// no longer queued. Throws Poco::Exception on a corrupt file.
	QueuedMessage open(const QueueEnvelope& envelope);
	/// The message for sending, read from the file in pieces. When the file's size is not
	/// what its head (legacy: envelope) records, the entry is quarantined and
	/// Poco::DataFormatException thrown, so it is never sent.
	std::string readMessage(const std::string& id);
	/// The whole message with CRLF line ends in memory: for tests and tools, never the relay.
	void update(const QueueEnvelope& envelope);
	/// Records the envelope durably (its .state; legacy: its .env), group-committed with
	/// concurrent writes.
	void remove(const std::string& id);
	/// Removes a finished message: the entry (legacy: the envelope), then, after the
	/// directory fsync the group commit shares, its side file (legacy: the message). An
	/// entry without a side file is only unlinked, or renamed into the recycled entries
	/// (no fsync, no wait for a commit).
	std::size_t recycled() const { return _recycled.held(); } ///< finished entries kept for reuse

	const std::string& directory() const { return _dir; }
	std::string corruptDirectory() const { return _dir + "/corrupt"; }

	static constexpr std::size_t kMaxHead = std::size_t{1} << 20;
	/// A head longer than this (about 10,000 recipients) is not trusted.
	static constexpr std::size_t kRecycledFiles = 256;
	static constexpr std::uint64_t kRecycledMaxSize = std::uint64_t{64} * 1024;
	/// The recycled entries: at most 256 files of at most 64 KiB (16 MiB of disk).

private:
	struct Write
	/// One writer's files waiting for the group commit: temp -> final renames, in order
	/// (none: a removal waiting only for the directory fsync).
	{
		std::vector<std::pair<std::string, std::string>> renames;
		bool removeOnFailure = false; ///< a new entry: a failure removes what was renamed
		std::exception_ptr error;
	};

	std::string path(const std::string& id, const char* suffix) const;
	void ensureDirectory();
	void commitNew(const QueueEntryHead& head, const std::string& tmp);
	/// Group-commits a new entry's written temp file into place, wakes the listener;
	/// nothing is left behind on failure.
	void commitBatch(std::vector<Write*>& batch);
	void commit(Write& write);
	void quarantine(const std::string& id, const std::string& reason, const std::string& detail);
	bool loadOneFile(const std::string& id, QueueEnvelope& envelope) const;
	bool loadLegacy(const std::string& id, QueueEnvelope& envelope) const;
	QueueEnvelope recover(const std::string& id, bool& ok);
	QueueEnvelope recoverLegacy(const std::string& id, bool& ok);

	std::string _dir;
	Listener _listener;
	std::once_flag _dirCreated;
	BatchSync _sync;
	GroupCommit<Write> _group;
	RecycledEntries _recycled{kRecycledFiles, kRecycledMaxSize};
};


} // namespace mail
