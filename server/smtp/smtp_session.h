// smtp_session.h - one SMTP session: a blocking loop, explicit input states, a command table.
#pragma once

#include "common/mail/mail_address.h"
#include "server/mail/delivery.h"
#include "server/faults/fault_rules.h"
#include "server/net/session_io.h"
#include "server/server_context.h"
#include "server/smtp/smtp_command.h"
#include "server/smtp/smtp_data_reader.h"

#include <Poco/Logger.h>
#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>


namespace mail {


class SpoolFile;
struct MessageIntake;

class SmtpSession
/// RFC 5321 server side for one connection (Postfix smtpd style: one blocking loop).
/// States only say how input is read; whether a transaction is open is `_tx`.
/// Each command row has a check (validates, parses MAIL/RCPT arguments, applies the
/// policy, replies 4xx/5xx to refuse) and a proceed step that only acts on what the
/// check kept (OpenSMTPD's smtp_check_* / smtp_proceed_*).
{
public:
	SmtpSession(const ServerContext& context, Delivery& delivery, Poco::Net::StreamSocket& socket,
		const std::string& id, bool implicitTls = false);
	/// implicitTls: the `smtps:` port (RFC 8314), the handshake comes before the greeting.

	void run();
	/// Greets, serves commands until QUIT, a fatal limit, a timeout, shutdown or the
	/// client going away; logs one disconnected line. Never throws.

	static std::string busyReply(const ServerConfig& server);
	/// What a client over limits.max_sessions(_per_ip) gets instead of a greeting.

	enum class State
	{
		Connected,
		Ready,
		Data,
		Closing
	};

private:
	struct Transaction
	{
		MailAddress sender;
		bool senderLocal = false;
		Envelope envelope;                     ///< the sender's address and every accepted recipient with its route, as written
		std::shared_ptr<MessageIntake> intake; ///< from the first BDAT (or DATA) to the message's end
	};

	using Handler = void (SmtpSession::*)(const SmtpCommand&);
	using Check = bool (SmtpSession::*)(const SmtpCommand&);

	struct CommandRow
	{
		SmtpVerb verb;
		Check check;     ///< validates; replies 4xx/5xx and returns false to refuse
		Handler proceed; ///< acts; replies 2xx/3xx
		bool beforeHelo; ///< allowed in Connected
	};
	static const CommandRow kCommands[];

	// smtp_session.cpp: the loop, the session-level verbs, replies
	void serve();
	void dispatch(const std::string& line);
	void enterState(State state);

	bool checkHelo(const SmtpCommand& command);
	bool checkNoArgument(const SmtpCommand& command);
	bool checkVrfy(const SmtpCommand& command);
	bool checkAlways(const SmtpCommand& command);
	bool refuseNotImplemented(const SmtpCommand& command);

	void doHelo(const SmtpCommand& command);
	void doEhlo(const SmtpCommand& command);
	void doRset(const SmtpCommand& command);
	void doNoop(const SmtpCommand& command);
	void doQuit(const SmtpCommand& command);
	void doVrfy(const SmtpCommand& command);
	void doHelp(const SmtpCommand& command);
	void doNothing(const SmtpCommand& command);

	void reply(int code, const std::string& text);
	/// Queues one reply line "code text"; a 4xx/5xx counts as an error and, past the
	/// soft limit, is delayed.
	void replyLines(int code, const std::vector<std::string>& lines);
	void closeWith(const std::string& reason); ///< ends the loop with this disconnect reason
	void closeShuttingDown();                  ///< 421 4.3.2, reason shutdown
	void closeTimedOut();                      ///< 421 4.4.2, reason timeout
	void closeLifetimeUsed();                  ///< 421 4.4.2, reason lifetime (limits.max_session_time)
	void closeLost();                          ///< the client went away (or we shut its socket)

	// smtp_session_faults.cpp: the `faults:` hook of each stage
	bool faulted(FaultStage stage) { return _context.faults && _context.faults->active() && applyFault(stage); }
	/// True when a fault rule fired and took this step over (replied 4xx/5xx, dropped the
	/// connection or stalled it); a delay waits and returns false. Without rules: one check.
	bool applyFault(FaultStage stage);

	// smtp_auth.cpp: STARTTLS (RFC 3207) and AUTH PLAIN/LOGIN (RFC 4954)
	bool checkStarttls(const SmtpCommand& command);
	bool checkAuth(const SmtpCommand& command);
	void doStarttls(const SmtpCommand& command);
	void doAuth(const SmtpCommand& command);
	bool readAuthResponse(const std::string& challenge, std::string& response);
	/// Sends "334 challenge" and reads the answer; false (after replying or closing) on
	/// a cancel, a timeout or a lost client.
	void finishAuth(const std::string& user, const std::string& password, const std::string& authzid,
		const char* mechanism = "PLAIN");
	bool checkSenderLogin(const std::string& account);
	/// submission.require_auth: a local sender must have authenticated as that account.
	std::vector<std::string> authKeywords() const; ///< STARTTLS and AUTH lines of EHLO, as offered now

	// smtp_session_transaction.cpp: MAIL, RCPT, DATA, BDAT (RFC 3030) and the commit
	bool checkMail(const SmtpCommand& command);
	bool checkRcpt(const SmtpCommand& command);
	bool checkData(const SmtpCommand& command);
	bool checkBdat(const SmtpCommand& command);
	void doMail(const SmtpCommand& command);
	void doRcpt(const SmtpCommand& command);
	void doData(const SmtpCommand& command);
	void doBdat(const SmtpCommand& command);
	DataLimits dataLimits() const;
	bool openIntake();
	/// Mints the message's id, opens its spool file with the trace header and the filters
	/// in front (_tx->intake); false after a 451 (the transaction is then over).
	void consumeChunk(); ///< reads and drops the octets of a refused BDAT (_bdat.size)
	void endMessage(DataStatus status);
	/// The end of DATA or of the LAST chunk (or a chunk that broke a limit): the refusal,
	/// or the end-of-data fault, the commit and its 250; the transaction is over.
	std::string traceHeader(const std::string& id) const; ///< the Received: field for this transaction
	void commit(const std::string& id, SpoolFile& spool, const std::string& messageId);
	/// Hands the spooled message (Return-Path and Received: first) to Delivery (local
	/// copies, then the relay queue) and logs it; throws on any failure.

	const ServerContext& _context;
	const std::shared_ptr<const ServerConfig> _config; ///< taken at the start, kept for the session's life (SIGHUP)
	const ServerConfig& _server;
	const Limits& _limits;
	Delivery& _delivery;
	Poco::Logger& _log;
	SessionIo _io;

	const bool _implicitTls;
	State _state = State::Connected;
	std::string _peer;
	std::string _helo;
	bool _esmtp = false;
	std::optional<Transaction> _tx;
	MailArguments _args;      ///< MAIL/RCPT argument parsed by the check, for the proceed step
	BdatArguments _bdat;      ///< BDAT argument parsed by the check, for the proceed step
	DeliveryRoute _route;     ///< where that address goes, found by the check from _server (the snapshot)
	std::string _authAccount; ///< the account AUTH proved, as its key; empty: not authenticated
	unsigned _authFailures = 0;
	unsigned _errors = 0;
	unsigned _junkCommands = 0; ///< NOOP, RSET, VRFY, HELP since the last message (limits.junk_commands)
	std::size_t _messages = 0;
	std::size_t _rejected = 0;
	std::string _reason;
};


const char* toString(SmtpSession::State state);


} // namespace mail
