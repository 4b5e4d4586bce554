// imap_uid_list.h - the IMAP UIDs of one Maildir: `imap-uids` beside new/ and cur/.
//
// Line one is "imap-uids 1 UIDVALIDITY UIDNEXT", then one "UID BASENAME" per message, the
// base name being the part of the file name before ':' (what POP3's UIDL shows too), so a
// flag change (a rename) keeps the UID. Written with a temporary file, fsync and rename,
// and the Maildir fsynced, so UIDs and UIDVALIDITY survive a crash and a restart.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>


namespace mail {


struct ImapUids
{
	std::uint32_t validity = 0;
	std::uint32_t next = 1;
	std::map<std::string, std::uint32_t> byBase; ///< base name -> UID
};


ImapUids assignImapUids(const std::string& mailboxPath, const std::vector<std::string>& basesInOrder);
/// Reads mailboxPath/imap-uids (a missing or damaged file starts a new UIDVALIDITY),
/// gives each base name without a UID the next one, in the order given (delivery order),
/// forgets base names no longer present, and writes the file durably when anything
/// changed. Serialized per mailbox within the process (one server owns a data
/// directory). Throws Poco::Exception when the file cannot be written.

std::string imapUidListPath(const std::string& mailboxPath);


} // namespace mail
