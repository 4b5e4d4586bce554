// imap_commands.h - the agent's `[imap]>>>` commands and what each prints.
//
//   stat              "N messages (M bytes), U unseen"
//   list              one line per message: "UID SIZE (FLAGS) From: .. Subject: .."
//   read UID          headers, an empty line, the body decoded to UTF-8 (mime_text.h);
//                     the server marks it \Seen, as a mail client's reading does
//   flag UID F..      adds flags (seen, flagged, deleted, answered; a leading \ optional)
//   unflag UID F..    removes them; both print "UID (FLAGS)" as the server now has them
//   expunge           removes the messages flagged \Deleted: "N messages expunged"
//   noop, quit        the server's answer (quit is LOGOUT: nothing is expunged by it)
// A server NO or BAD prints the server's line and the session goes on.
#pragma once

#include "agent/imap_client.h"

#include <ostream>
#include <string>
#include <vector>


namespace mail {


enum class ImapOutcome
{
	Ok,     ///< OK
	Failed, ///< NO, BAD, no such UID, or a bad command (printed)
	Quit    ///< LOGOUT was sent; the session is over
};


std::string selectInbox(ImapClient& client);
/// SELECT INBOX: "INBOX: N messages" and, when the server opened it read-only (a POP3
/// session holds the mailbox), why. Throws ImapError when the server refuses.

ImapOutcome runImapCommand(ImapClient& client, const std::vector<std::string>& words, std::ostream& out);
/// words: the command and its arguments as typed (case-insensitive command).
/// Throws ImapError when the connection breaks.


} // namespace mail
