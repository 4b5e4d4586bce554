// imap_session.h - one IMAP conversation (RFC 9051 IMAP4rev2, answering RFC 3501 IMAP4rev1
// clients too): states, verb table, replies. INBOX only, on the same Maildir as POP3.
#pragma once

#include "server/faults/fault_rules.h"
#include "server/imap/imap_command.h"
#include "server/imap/imap_mailbox.h"
#include "server/net/session_io.h"
#include "server/server_context.h"
#include "server/store/mailbox_lock.h"

#include <Poco/Logger.h>
#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <string>


namespace mail {


enum class ImapState
{
	NotAuthenticated,
	Authenticated,
	Selected,
	Logout ///< the conversation is over; run() returns
};

const char* toString(ImapState state);


class ImapSession
/// Runs one client from greeting to close on the calling thread (a TcpListener pool
/// thread), like Pop3Session. Protocol errors are BAD or NO replies.
///
/// The POP3 rule, one for both protocols: a POP3 session holds the mailbox lock from
/// login to its end. IMAP sessions never hold it while they wait for the client; they take
/// it only for the moment of a change (a flag rename, an expunge), waiting up to a second
/// for it. So while a POP3 session has the mailbox, IMAP sessions read it but every
/// change is refused with NO [INUSE]: the POP3 snapshot's files stay where POP3 expects
/// them, and messages POP3 deletes at QUIT reach IMAP clients as EXPUNGE.
{
public:
	ImapSession(const ServerContext& context, Poco::Net::StreamSocket& socket, const std::string& id,
		bool implicitTls = false);
	~ImapSession();

	void run(); ///< greets, serves commands until LOGOUT or a limit; logs one disconnected line. Never throws.

	static std::string busyReply(const ServerConfig& server);

private:
	using Handler = void (ImapSession::*)(const ImapCommand& cmd);
	struct VerbEntry
	{
		const char* name;
		Handler handler;
		ImapState least; ///< the state it needs (Selected: only with a mailbox open)
		bool uid;        ///< allowed after UID
	};

	void dispatch(const std::string& text);
	bool readCommand(std::string& text);

	// any state
	void doCapability(const ImapCommand& cmd);
	void doNoop(const ImapCommand& cmd);
	void doLogout(const ImapCommand& cmd);
	void doId(const ImapCommand& cmd);
	// imap_session_auth.cpp
	void doStartTls(const ImapCommand& cmd);
	void doLogin(const ImapCommand& cmd);
	void doAuthenticate(const ImapCommand& cmd);
	void login(const std::string& tag, const std::string& user, const std::string& password, const char* mechanism);
	///< checks and answers the command (OK, NO, or BYE after limits.max_auth_failures)
	std::string capabilities() const;
	// authenticated (imap_session_mailbox.cpp)
	void doSelect(const ImapCommand& cmd);
	void doList(const ImapCommand& cmd);
	void doStatus(const ImapCommand& cmd);
	void doEnable(const ImapCommand& cmd);
	void doNamespace(const ImapCommand& cmd);
	void doRefused(const ImapCommand& cmd); ///< CREATE DELETE RENAME APPEND COPY MOVE ...
	void doSubscribe(const ImapCommand& cmd);
	void doIdle(const ImapCommand& cmd);
	// selected
	void doClose(const ImapCommand& cmd);
	void doExpunge(const ImapCommand& cmd);
	void doStore(const ImapCommand& cmd);
	void doSearch(const ImapCommand& cmd);                                                ///< imap_session_search.cpp
	void doFetch(const ImapCommand& cmd);                                                 ///< imap_session_fetch.cpp
	void recordFetch(const ImapMessage& message, const CrlfText& text, std::size_t size); ///< counts it; imap.fetch

	bool isInbox(const std::string& name) const;
	void reportChanges();                       ///< refreshes the mailbox and sends EXPUNGE/EXISTS/FETCH FLAGS
	bool lockForChange(const ImapCommand& cmd); ///< the mailbox lock for one change, else NO [INUSE]
	void unlockAfterChange();
	bool messageSet(const ImapCommand& cmd, const ImapToken& token, std::vector<std::uint32_t>& seqs);
	///< the sequence numbers a (UID) sequence set names, in order; BAD when malformed

	void ok(const std::string& tag, const std::string& text);
	void no(const std::string& tag, const std::string& text);
	void bad(const std::string& tag, const std::string& text); ///< counts towards limits.hard_errors
	void untagged(const std::string& text);
	void closeWith(const std::string& reason);
	void closeBye(const std::string& text, const std::string& reason);
	void closeTimedOut();

	bool faulted(FaultStage stage, const std::string& tag, const std::string& user)
	{
		return _context.faults && _context.faults->active() && applyFault(stage, tag, user);
	}
	bool applyFault(FaultStage stage, const std::string& tag, const std::string& user); ///< imap_session_faults.cpp

	const ServerContext& _context;
	const std::shared_ptr<const ServerConfig> _config;
	const ServerConfig& _server;
	const Limits& _limits;
	Poco::Logger& _log;
	SessionIo _io;

	const bool _implicitTls;
	ImapState _state = ImapState::NotAuthenticated;
	std::string _reason;
	std::string _peer;
	std::string _account; ///< the logged-in account key
	std::string _mailboxPath;
	bool _readOnly = false; ///< EXAMINE, or a Maildir we cannot change
	bool _rev2 = false;     ///< ENABLE IMAP4rev2
	unsigned _authFailures = 0;
	unsigned _errors = 0;
	unsigned _junkCommands = 0;
	std::size_t _fetched = 0;
	std::unique_ptr<ImapMailbox> _mailbox;
	MailboxLock _lock; ///< held only during one change
	std::string _scratch;
};


} // namespace mail
