// relay_queue.h - the durable outbound queue (DATA/NAME/queue/) that SMTP writes and relay reads.
//
// One queued message is two files: <id>.msg (the message bytes, CRLF line endings, as they
// will be sent) and <id>.env (the envelope: sender, recipients with their states, arrival
// time, attempt count, next-attempt time). Both are written tmp -> fsync -> rename, the
// directory is fsynced, and only then does enqueue() return. The .env file is written last
// and removed first, so a .msg without its .env is an unfinished write and is discarded.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>


namespace mail {


enum class RecipientState
{
	Pending,   ///< still to be sent (never tried, or failed temporarily)
	Delivered, ///< accepted by the destination (2xx)
	Failed,    ///< failed permanently; the sender has not been told yet
	Bounced    ///< failed permanently and the delivery status notification is written
};

const char* toString(RecipientState state);


struct QueuedRecipient
{
	std::string address;
	RecipientState state = RecipientState::Pending;
	std::string status;     ///< RFC 3463 status of the last outcome ("5.1.1"), empty if none
	std::string remoteMta;  ///< exchanger that gave the last reply, empty if none
	std::string diagnostic; ///< the last reply or error text, empty if none

	bool final() const { return state != RecipientState::Pending; }
};


struct QueueEnvelope
{
	std::string id;
	std::string sender; ///< empty: null reverse-path (a bounce)
	std::vector<QueuedRecipient> recipients;
	std::int64_t arrival = 0; ///< unix seconds
	unsigned attempts = 0;
	std::int64_t nextAttempt = 0; ///< unix seconds
	bool held = false;            ///< on hold (`mail-server queue hold`): not tried until released

	bool finished() const; ///< every recipient is Delivered or Bounced
};


class RelayQueue
{
public:
	using Listener = std::function<void(const QueueEnvelope& envelope)>;

	explicit RelayQueue(const std::string& queueDir);

	std::string enqueue(const std::string& sender, const std::vector<std::string>& recipients,
		const std::string& message);
	/// Writes message and envelope durably (tmp -> fsync -> rename -> fsync dir) and wakes
	/// the relay workers. Returns the queue id. Throws Poco::Exception on failure, leaving
	/// nothing behind.

	void setListener(Listener listener);
	/// Called (on the enqueuing thread) after each successful enqueue().
	/// Set once before anything is enqueued.

	std::vector<QueueEnvelope> scan();
	/// Start-up recovery only, before any enqueue() can run: every complete queued
	/// message, oldest first. Removes leftovers of interrupted writes (temp files, a
	/// message without envelope, which a concurrent enqueue() is in the middle of
	/// writing) and renames corrupt envelopes aside. Creates the directory if needed.

	std::vector<QueueEnvelope> list() const;
	/// A read-only view for monitoring, safe at any time from any thread, alongside
	/// enqueue(), update() and remove(): every queued message whose envelope and message
	/// are both in place, oldest first. Never creates, deletes or renames a file; skips
	/// temp files, unfinished writes and unreadable envelopes.

	bool load(const std::string& id, QueueEnvelope& envelope) const;
	/// False if the message is no longer queued. Throws Poco::Exception on a corrupt file.
	std::string readMessage(const std::string& id) const;
	void update(const QueueEnvelope& envelope);
	/// Rewrites the envelope durably.
	void remove(const std::string& id);
	/// Removes a finished message (envelope first).

	const std::string& directory() const { return _dir; }

private:
	std::string path(const std::string& id, const char* suffix) const;
	void ensureDirectory();

	std::string _dir;
	Listener _listener;
	std::once_flag _dirCreated;
};


std::string formatEnvelope(const QueueEnvelope& envelope);
/// The .env file text (one "key value" line per field, one line per recipient).
QueueEnvelope parseEnvelope(const std::string& text);
/// Inverse of formatEnvelope(). Throws Poco::DataFormatException on bad input.


} // namespace mail
