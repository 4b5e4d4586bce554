// relay_queue.h - the durable outbound queue (DATA/NAME/queue/) that SMTP writes and relay reads.
//
// One queued message is two files: <id>.msg (the message bytes, CRLF line endings, as they
// will be sent) and <id>.env (the envelope, queue_envelope.h, which records the message's
// size). Writes are group-committed: each writer writes its temp files unsynced, then one
// leader makes the batch's temp files durable together (server/store/batch_sync.h: one
// syncfs() of the file system), renames every .msg and then its .env
// into place, and fsyncs the directory once; only then does enqueue() return. So the
// .env appears after its .msg and is removed first: a .msg without its .env is an
// unfinished write (never acknowledged) and is discarded. Entries that cannot be trusted
// (unreadable envelope, envelope without message, message of the wrong size) are moved
// together into <queue>/corrupt/ for a human, never deleted.
#pragma once

#include "server/store/queue/queue_envelope.h"
#include "server/store/batch_sync.h"
#include "server/store/group_commit.h"

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
	/// Writes message and envelope durably (group commit, above) under the message's id
	/// (minted at its acceptance: the queue names it as the 250 reply did) and wakes the
	/// relay workers. Returns id. Throws Poco::Exception on failure, leaving nothing behind.

	std::string enqueueLfFile(const std::string& id, const std::string& sender,
		const std::vector<std::string>& recipients, const std::string& path);
	/// The same for a message stored with LF line ends in the file at path (an SMTP spool
	/// file), without its first line (the Return-Path only local copies get): copied into
	/// the queue with CRLF line ends through a small buffer, never whole in memory.

	void setListener(Listener listener);
	/// Called (on the enqueuing thread) after each successful enqueue().
	/// Set once before anything is enqueued.

	std::vector<QueueEnvelope> scan();
	/// Start-up recovery only, before any enqueue() can run: every complete queued
	/// message, oldest first. Removes leftovers of interrupted writes (temp files, a
	/// message without envelope) and quarantines untrustworthy entries in corrupt/,
	/// logging each. Creates the directory if needed.

	std::vector<QueueEnvelope> list() const;
	/// A read-only view for monitoring, safe at any time from any thread, alongside
	/// enqueue(), update() and remove(): every queued message whose envelope and message
	/// are both in place, oldest first. Never creates, deletes or renames a file; skips
	/// temp files, unfinished writes, unreadable envelopes and corrupt/.

	bool load(const std::string& id, QueueEnvelope& envelope) const;
	/// False if the message is no longer queued. Throws Poco::Exception on a corrupt file.
	std::string readMessage(const std::string& id);
	/// The message bytes. When the envelope records a size and the file differs (a
	/// truncated message), the entry is quarantined and Poco::DataFormatException thrown,
	/// so it is never sent.
	std::string readMessage(const QueueEnvelope& envelope);
	/// The same, checked against an envelope the caller has just loaded (not read again).
	void update(const QueueEnvelope& envelope);
	/// Rewrites the envelope durably (group-committed with concurrent writes).
	void remove(const std::string& id);
	/// Removes a finished message: the envelope, then (after the directory fsync the
	/// group commit shares) the message.

	const std::string& directory() const { return _dir; }
	std::string corruptDirectory() const { return _dir + "/corrupt"; }

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
	QueueEnvelope newEnvelope(const std::string& id, const std::string& sender, const std::vector<std::string>& recipients);
	void commitNew(QueueEnvelope& envelope, const std::function<std::int64_t(const std::string& tmp)>& writeMessage);
	/// Writes the message (writeMessage returns its size) and the envelope to temp files,
	/// group-commits both, wakes the listener; nothing is left behind on failure.
	void commitBatch(std::vector<Write*>& batch);
	void commit(Write& write);
	void quarantine(const std::string& id, const std::string& reason, const std::string& detail);

	std::string _dir;
	Listener _listener;
	std::once_flag _dirCreated;
	BatchSync _sync;
	GroupCommit<Write> _group;
};


} // namespace mail
