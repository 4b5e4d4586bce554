// pop3_session.h - one POP3 conversation (RFC 1939 + RFC 2449): states, verb tables, replies.
#pragma once

#include "common/line_reader.h"
#include "server/store/mailbox.h"
#include "server/store/mailbox_lock.h"
#include "server/pop3/pop3_command.h"
#include "server/server_context.h"

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
	/// Replies are collected in one output buffer and sent when the client has nothing
	/// more pipelined (or the buffer is large), so a pipelined batch costs one send().
{
public:
	Pop3Session(Poco::Net::StreamSocket& socket, const std::string& sessionId, const ServerContext& context);
	~Pop3Session();

	void run();

	static const Poco::Timespan kAuthFailureDelay;
		/// Pause before answering a failed PASS (slows password guessing; the number of
		/// tries is limits.max_auth_failures). Never applied to a successful login.

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
	void doRefused(const Pop3Command& cmd); // APOP, AUTH, STLS
	// both states
	void doCapa(const Pop3Command& cmd);
	void doQuit(const Pop3Command& cmd);
	// TRANSACTION
	void doStat(const Pop3Command& cmd);
	void doList(const Pop3Command& cmd);
	void doRetr(const Pop3Command& cmd);
	void doDele(const Pop3Command& cmd);
	void doNoop(const Pop3Command& cmd);
	void doRset(const Pop3Command& cmd);
	void doTop(const Pop3Command& cmd);
	void doUidl(const Pop3Command& cmd);

	bool checkMessage(const Pop3Command& cmd); ///< numbers[0] names a live message, else -ERR
	void ok(const std::string& text);
	void err(const std::string& text);
	void protocolError(const std::string& text); ///< -ERR that counts towards limits.hard_errors
	void flush();
	void close(const std::string& reason);
	void enterState(Pop3State state);

	Poco::Net::StreamSocket& _socket;
	const std::string _id;
	const ServerContext& _context;
	const Limits& _limits;
	Poco::Logger& _log;
	LineReader _reader;

	Pop3State _state = Pop3State::Authorization;
	std::string _closeReason;
	std::string _user;          ///< from USER, until PASS
	std::string _account;       ///< the logged-in account key (as in the config)
	unsigned _authFailures = 0;
	unsigned _errors = 0;
	std::size_t _retrieved = 0;
	MailboxLock _lock;
	std::unique_ptr<Mailbox> _mailbox;

	std::string _out;     ///< replies not yet sent
	std::string _scratch; ///< file contents for RETR/TOP, reused
};


} // namespace mail
