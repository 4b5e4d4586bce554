// mailbox_lock.h - one POP3 session per mailbox, within this process and across processes.
#pragma once

#include <chrono>
#include <string>


namespace mail {


class MailboxLock
/// Held by a session from PASS until it ends. Two layers: an in-process registry of
/// held mailbox paths (threads of this server), and flock() on <mailbox>/.lock (other
/// processes). The kernel drops the flock when the holder dies, so a crash never
/// leaves a mailbox locked. Released by release() or the destructor (QUIT, drop,
/// timeout, shutdown). On a read-only file system (or a Maildir this process may not
/// write) the lock is taken on a read-only descriptor of .lock, or of the Maildir
/// itself when .lock cannot be created, and readOnly() says so: reading works,
/// deleting does not.
{
public:
	enum class Result
	{
		Acquired,
		Busy,  ///< another session holds the mailbox
		Failed ///< the lock file could not be created or opened
	};

	MailboxLock() = default;
	~MailboxLock();
	MailboxLock(const MailboxLock&) = delete;
	MailboxLock& operator=(const MailboxLock&) = delete;

	Result acquire(const std::string& mailboxPath);
	/// Takes both locks. When mailboxPath does not exist yet, creates it, its parent
	/// (the mail root) and tmp/, new/, cur/ first.
	/// Requires that this object holds nothing yet.

	Result acquireWithin(const std::string& mailboxPath, std::chrono::milliseconds wait = kChangeWait);
	/// acquire(), trying again while the mailbox is busy, up to wait. The one rule POP3 and
	/// IMAP share: a POP3 session holds the lock for its whole session, an IMAP session only
	/// for one change (milliseconds), so either waits out the other's change, and an IMAP
	/// change waits out no POP3 session: after wait it is refused.
	static constexpr std::chrono::milliseconds kChangeWait{1000};

	void release();
	bool held() const { return _fd >= 0; }
	bool readOnly() const { return _readOnly; } ///< the mailbox cannot be changed (EROFS, EACCES)

private:
	int openReadOnly(const std::string& mailboxPath);

	std::string _path;
	int _fd = -1;
	bool _readOnly = false;
};


bool mailboxLockHeld(const std::string& mailboxPath);
/// Whether a session of this process holds mailboxPath now (the in-process registry only:
/// a probe that takes no lock, so a listing never makes a POP3 login fail).


} // namespace mail
