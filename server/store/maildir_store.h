// maildir_store.h - durable delivery into per-account Maildirs (DATA/NAME/mail/<address>/).
#pragma once

#include "server/store/batch_sync.h"
#include "server/store/group_commit.h"
#include "server/store/maildir.h"
#include "server/store/spare_files.h"

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <set>
#include <string>
#include <vector>


namespace mail {


class MaildirStore
/// Delivers into the layout of server/store/maildir.h. Files in new/ hold the message
/// with LF line endings (the RFC 1939 size is in the name, W=), and are complete and
/// fsynced before they appear. Thread-safe.
{
public:
	explicit MaildirStore(const std::string& mailRoot, const std::string& hostName = "", BatchSync sync = BatchSync());
	/// hostName goes into file names; empty: the name of mailRoot's parent directory
	/// (DATA/NAME/mail -> NAME), i.e. the server name. sync: how a batch is made durable
	/// (tests inject a recorder).

	std::string mailboxPath(const std::string& address) const;
	/// mailRoot/<address>, the address as the account is written in the config.

	std::string deliver(const std::vector<std::string>& addresses, const std::string& message, const std::string& id = "");
	/// Stores the message (CRLF or LF line ends; stored with LF) once in each mailbox:
	/// written to the first mailbox's tmp/,
	/// made durable, hard-linked into every new/, tmp name removed, every new/ fsynced.
	/// Returns only when every copy is durable; returns the Maildir base name.
	/// Group commit: concurrent callers queue their written tmp files; one of them (the
	/// leader) makes the batch's files durable together (batch_sync.h: one syncfs()), links the batch, fsyncs each touched
	/// new/ once and wakes the others, so N sessions share two journal commits instead of
	/// paying 2N.
	/// Throws Poco::Exception on failure, after removing the tmp file and any copy it
	/// already linked, so a failed delivery leaves nothing behind.

	std::string deliverFile(const std::vector<std::string>& addresses, const std::string& path,
		std::uint64_t size, std::uint64_t wireSize, const std::string& id = "");
	/// The same for a message already written (LF line ends) to path on this file system,
	/// e.g. a SpoolFile in spoolDirectory(): hard-linked into every new/ by the same group
	/// commit, with no copy. path is left in place (its owner removes it). id: the
	/// message's id, which the file name carries (Maildir::newFileName).

	const std::string& spoolDirectory();
	/// mailRoot/.spool, created on first use: where SMTP sessions stream DATA, on the
	/// same file system as the mailboxes so delivery is a hard link. A name starting
	/// with '.' is never an account. The first call empties it of files a killed
	/// server left behind.

	OpenFile takeSpoolFile();
	/// A new empty file in spoolDirectory(), open for writing (the caller owns both): one
	/// prepareSpoolFile() made ahead when there is one, else created now.
	void prepareSpoolFile();
	/// Creates spare spool files for the next takeSpoolFile() calls (a few at most), once
	/// a spool file has been taken: an SMTP session calls it after its 250 has gone out.
	/// Never throws (a failure shows at the next takeSpoolFile()).

	void ensureMailbox(const std::string& address);
	/// Creates mailRoot/<address>/{tmp,new,cur} durably (directories fsynced) if missing.

private:
	void recreateMailbox(const std::string& address);
	/// Makes the Maildir again although it was known to exist (it was removed).

	struct Pending
	/// One delivery waiting for the group commit.
	{
		std::string tmpPath;
		std::vector<std::string> targets; ///< new/ paths to link
		bool keepTmp = false;             ///< tmpPath belongs to the caller (deliverFile)
		std::exception_ptr error;
	};

	std::string commitFile(const std::vector<std::string>& addresses, Pending& pending, const std::string& name);
	/// Fills pending's targets, then commit(); rethrows its error; returns name.
	void commitBatch(std::vector<Pending*>& batch);
	void failDirectory(std::vector<Pending*>& batch, const std::string& dir, const std::exception_ptr& error);
	/// Fails every item still good that was linked into dir, removing all its links.

	BatchSync _sync;
	GroupCommit<Pending> _group;

	Maildir _maildir;
	std::mutex _mutex;                  ///< guards _ready
	std::set<std::string> _ready;       ///< mailboxes known to exist on disk
	std::string _spool;                 ///< spoolDirectory(), empty until created
	SpareFiles _spareSpools;            ///< prepareSpoolFile()'s files
	std::atomic<bool> _spooling{false}; ///< takeSpoolFile() was called: refills are wanted
};


} // namespace mail
