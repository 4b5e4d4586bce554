// agent_shell.h - the interactive `[smtp|pop|exit]>>> ` loop (imap too) and the one-shot commands.
#pragma once

#include "agent/agent_options.h"
#include "agent/mail_endpoints.h"

#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>


namespace mail {


class LineEditor;

class AgentShell
{
public:
	using EndpointFinder = std::function<Endpoint()>;

	AgentShell(const AgentOptions& options, const Endpoint& smtp, const Endpoint& pop, EndpointFinder findImap,
		std::istream& in, std::ostream& out, std::ostream& err, bool echoInput);
	///< findImap: asked when an imap command needs the server (the lookup may throw
	///  EndpointError: a topology without IMAP is no reason to refuse smtp and pop).
	///  echoInput: write each line read after its prompt, so that a transcript of a
	///  scripted run (stdin not a terminal) reads like the terminal session would.

	~AgentShell();

	void useLineEditor(std::unique_ptr<LineEditor> editor);
	///< On a terminal: read through libedit (editing, history, tab completion of the
	///  prompt's commands) instead of plain lines from the input stream.

	int runInteractive();
	///< Until `exit` or the end of input; returns 0.

	int runSend();
	///< `send --to .. --subject .. --body ..`: 0 when the server took the message, 1 if not.

	int runPop();
	///< `pop CMD ARGS`: logs in, runs the command, QUIT; 0 on +OK, 1 otherwise.

	int runImap();
	///< `imap CMD ARGS`: logs in, selects INBOX, runs the command, LOGOUT; 0 on OK, 1 otherwise.

private:
	bool readLine(const std::string& prompt, std::string& line, const std::vector<std::string>& commands = {});
	void composeInteractively();
	bool send(const std::vector<std::string>& to, const std::string& subject, const std::string& content);
	void popSession();
	void imapSession();

	const AgentOptions& _options;
	Endpoint _smtp;
	Endpoint _pop;
	EndpointFinder _findImap;
	std::istream& _in;
	std::ostream& _out;
	std::ostream& _err;
	bool _echoInput;
	std::unique_ptr<LineEditor> _editor;
};


} // namespace mail
