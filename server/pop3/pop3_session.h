// pop3_session.h - one POP3 conversation (RFC 1939 + RFC 2449): states, verb tables, replies.
#pragma once

#include "server/faults/fault_rules.h"
#include "server/net/session_io.h"
#include "server/pop3/pop3_command.h"
#include "server/server_context.h"
#include "server/store/mailbox.h"
#include "server/store/mailbox_lock.h"

#include <Poco/Logger.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <memory>
#include <string>


namespace mail {


enum class Pop3State
{
	Authorization, ///< before a successful PASS: USER PASS CAPA QUIT (APOP AUTH STLS refused)
	Transaction,   ///< mailbox locked and snapshotted: STAT LIST RETR DELE NOOP RSET TOP UIDL CAPA QUIT
	Update,        ///< entered by QUIT from Transaction: deletions applied, lock released
	Closed         ///< the conversation is over; run() returns
};

const char* toString(Pop3State state);


class Pop3Session
/// Runs one client from greeting to close on the calling thread (a TcpListener pool
/// thread). Protocol errors are -ERR replies; only QUIT from Transaction deletes
/// anything, so a drop, a timeout or a shutdown leave the mailbox as it was.
///
/// Replies are collected in SessionIo's buffer and sent when the client has nothing
/// more pipelined (or the buffer is large), so a pipelined batch costs one send().
{
public:
	Pop3Session(const ServerContext& context, Poco::Net::StreamSocket& socket, const std::string& id,
		bool implicitTls = false);
	/// implicitTls: the `pops:` port (RFC 8314), the handshake comes before the greeting.
	~Pop3Session();

	void run();
	/// Greets, serves commands until QUIT, a fatal limit, a timeout, shutdown or the
	/// client going away; logs one disconnected line. Never throws.

	static std::string busyReply(const ServerConfig& server);
	/// What a client over limits.max_sessions(_per_ip) gets instead of a greeting.


private:
	using Handler = void (Pop3Session::*)(const Pop3Command& cmd);
	struct VerbEntry
	{
		Pop3Verb verb;
		Handler handler;
	};

	void dispatch(const std::string& line);
	const VerbEntry* lookup(Pop3Verb verb) const;

	// AUTHORIZATION
	void doUser(const Pop3Command& cmd);
	void doPass(const Pop3Command& cmd);
	void doRefused(const Pop3Command& cmd); // APOP
	// pop3_session_auth.cpp: STLS (RFC 2595), AUTH PLAIN (RFC 5034), the CAPA lines they add
	void doStls(const Pop3Command& cmd);
	void doAuth(const Pop3Command& cmd);
	bool plaintextLoginRefused(); ///< -ERR when passwords may not be sent yet (before STLS)
	std::string authCapabilities() const;
	// both states
	void doCapa(const Pop3Command& cmd);
	void doQuit(const Pop3Command& cmd);
	// TRANSACTION (pop3_session_transaction.cpp)
	void doStat(const Pop3Command& cmd);
	void doList(const Pop3Command& cmd);
	void doRetr(const Pop3Command& cmd);
	void doDele(const Pop3Command& cmd);
	void doNoop(const Pop3Command& cmd);
	void doRset(const Pop3Command& cmd);
	void doTop(const Pop3Command& cmd);
	void doUidl(const Pop3Command& cmd);

	bool checkMessage(const Pop3Command& cmd);                               ///< numbers[0] names a live message, else -ERR
	static std::string countOctets(std::size_t count, std::uint64_t octets); ///< "2 messages (320 octets)"
	void ok(const std::string& text);
	void err(const std::string& text);
	void protocolError(const std::string& text); ///< -ERR that counts towards limits.hard_errors
	void closeWith(const std::string& reason);   ///< ends the loop with this disconnect reason
	void closeShuttingDown();                    ///< -ERR [SYS/TEMP] ... shutting down, reason shutdown
	void closeTimedOut();                        ///< -ERR [SYS/TEMP] idle ..., reason timeout
	void closeLifetimeUsed();                    ///< limits.max_session_time reached, reason lifetime
	void closeLost();                            ///< the client went away (or we shut its socket)
	void enterState(Pop3State state);

	// pop3_session_faults.cpp: the `faults:` hook of USER, PASS and RETR
	bool faulted(FaultStage stage, const std::string& user)
	{
		return _context.faults && _context.faults->active() && applyFault(stage, user);
	}
	/// True when a fault rule fired and took the command over (-ERR, dropped, stalled);
	/// a delay waits and returns false. user: the login name (matched as recipient).
	bool applyFault(FaultStage stage, const std::string& user);

	const ServerContext& _context;
	const std::shared_ptr<const ServerConfig> _config; ///< taken at the start, kept for the session's life (SIGHUP)
	const ServerConfig& _server;
	const Limits& _limits;
	Poco::Logger& _log;
	SessionIo _io;

	const bool _implicitTls;
	Pop3State _state = Pop3State::Authorization;
	std::string _reason;
	std::string _peer;    ///< client IP address
	std::string _user;    ///< from USER, until PASS
	std::string _account; ///< the logged-in account key (as in the config)
	unsigned _authFailures = 0;
	unsigned _errors = 0;
	unsigned _junkCommands = 0; ///< CAPA and repeated USER (limits.junk_commands)
	std::size_t _retrieved = 0;
	const char* _loginMechanism = "USER"; ///< for the journal's pop3.login: AUTH PLAIN sets "PLAIN"
	MailboxLock _lock;
	std::unique_ptr<Mailbox> _mailbox;

	std::string _scratch; ///< file contents for RETR/TOP, reused
};


} // namespace mail
