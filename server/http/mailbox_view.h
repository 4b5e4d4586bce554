// mailbox_view.h - the API's read and delete access to this server's Maildirs.
#pragma once

#include "server/store/mailbox.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace mail {


struct ServerConfig;


struct StoredMessage
/// One message file as the API names it.
{
	std::string id;      ///< the Maildir unique part (before ":2,"), maildirUid()
	std::string account; ///< the mailbox (account key as in the config)
	std::string path;    ///< absolute path at the time it was looked up
	std::uint64_t size = 0;
};


class MailboxView
/// Reads through server/store (Mailbox snapshots, maildirUid, MailboxLock): the one
/// place the API turns an address or an id into a file. Every address goes through the
/// accounts of one configuration snapshot (ServerContext::current(): SIGHUP may change them) and every id through the Maildir name format first, so nothing a
/// client sends is ever joined into a path.
{
public:
	MailboxView(std::shared_ptr<const ServerConfig> server, std::string mailRoot);

	std::vector<std::string> accounts() const; ///< every account of the config, in order

	const std::string* account(const std::string& address) const;
	/// The account an address names (case-insensitive as delivery matches it), or null.

	std::string mailboxPath(const std::string& account) const;

	std::vector<StoredMessage> messages(const std::string& account) const;
	/// In delivery order (oldest first); a missing Maildir is empty.

	bool find(const std::string& id, StoredMessage& found) const;
	/// Searches every account; false for an id not in the Maildir name format or unknown.

	static bool read(const StoredMessage& message, std::string& content);
	/// The file as stored; false when it is gone (deleted or moved since the lookup).

	static bool isMessageId(const std::string& id);
	/// 1-255 octets of letters, digits and . , = _ - (what Maildir names are made of),
	/// not starting with '.' and without "..".

	enum class DeleteResult
	{
		Deleted,
		Locked, ///< a POP3 session holds the mailbox
		Failed  ///< the lock or a file could not be handled
	};

	DeleteResult remove(const std::string& account, const std::vector<std::string>& ids, std::vector<std::string>& deleted) const;
	/// Takes the mailbox lock as a POP3 login does (so neither sees half of the other's
	/// work), removes the messages among ids (all when ids is empty) and fsyncs the
	/// directories; deleted receives the ids removed.

private:
	const std::shared_ptr<const ServerConfig> _server;
	const std::string _mailRoot;
};


} // namespace mail
