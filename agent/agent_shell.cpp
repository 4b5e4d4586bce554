// agent_shell.cpp - prompts, composing, and the POP3 and IMAP sub-shells.
#include "agent/agent_shell.h"

#include "common/ops/log.h"
#include "agent/imap_commands.h"
#include "agent/line_editor.h"
#include "agent/pop_commands.h"
#include "agent/smtp_submit.h"

#include <Poco/FileStream.h>
#include <Poco/Logger.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>


using Poco::Net::MailMessage;


namespace mail {


namespace {


const Poco::Timespan NetworkTimeout(30, 0);           ///< connect and each reply, SMTP, POP3 and IMAP
const char* const MainPrompt = "[smtp|pop|exit]>>> "; ///< the contract's prompt; imap is accepted too
const char* const PopPrompt = "[pop]>>> ";
const char* const ImapPrompt = "[imap]>>> ";
const std::vector<std::string> MainCommands = {"exit", "imap", "pop", "smtp"};
const std::vector<std::string> PopCommands = {"dele", "list", "noop", "quit", "retr", "rset", "stat", "top", "uidl"};
const std::vector<std::string> ImapCommands = {"expunge", "flag", "list", "noop", "quit", "read", "stat", "unflag"};


ImapTls imapTls(const AgentOptions& options)
{
	if (options.imaps) return ImapTls::Implicit;
	return options.tls ? ImapTls::StartTls : ImapTls::None;
}


} // namespace


AgentShell::AgentShell(const AgentOptions& options, const Endpoint& smtp, const Endpoint& pop, EndpointFinder findImap,
	std::istream& in, std::ostream& out, std::ostream& err, bool echoInput):
	_options(options),
	_smtp(smtp),
	_pop(pop),
	_findImap(std::move(findImap)),
	_in(in),
	_out(out),
	_err(err),
	_echoInput(echoInput)
{
}


AgentShell::~AgentShell() = default;


void AgentShell::useLineEditor(std::unique_ptr<LineEditor> editor)
{
	_editor = std::move(editor);
}


int AgentShell::runInteractive()
{
	std::string line;
	while (readLine(MainPrompt, line, MainCommands))
	{
		std::string command = Poco::toLower(Poco::trim(line));
		if (command.empty()) continue;
		if (command == "exit" || command == "quit") return 0;
		if (command == "smtp") composeInteractively();
		else if (command == "pop") popSession();
		else if (command == "imap") imapSession();
		else _out << "unknown command " << Poco::trim(line) << " (smtp, pop, imap or exit)\n";
	}
	_out << "\n";
	return 0;
}


int AgentShell::runSend()
{
	std::string content = _options.body;
	if (!_options.bodyFile.empty())
	{
		try
		{
			Poco::FileInputStream file(_options.bodyFile);
			content.clear();
			Poco::StreamCopier::copyToString(file, content);
		}
		catch (const Poco::Exception& e)
		{
			_err << "mail-agent: cannot read " << _options.bodyFile << ": " << e.displayText() << "\n";
			return 1;
		}
	}
	return send(_options.to, _options.subject, content) ? 0 : 1;
}


int AgentShell::runPop()
{
	try
	{
		Pop3Client client(_pop, NetworkTimeout, _options.tls);
		client.login(_options.email, _options.password);
		PopOutcome outcome = runPopCommand(client, _options.popCommand, _out);
		if (outcome != PopOutcome::Quit)
		{
			Pop3Reply quit = client.command("QUIT");
			client.close();
			if (!quit.ok)
			{
				_err << "mail-agent: QUIT failed: " << quit.status << "\n";
				return 1;
			}
		}
		return outcome == PopOutcome::Failed ? 1 : 0;
	}
	catch (const Pop3Error& e)
	{
		_err << "mail-agent: " << e.what() << "\n";
		return 1;
	}
}


int AgentShell::runImap()
{
	try
	{
		ImapClient client(_findImap(), NetworkTimeout, imapTls(_options));
		client.login(_options.email, _options.password);
		selectInbox(client);
		const ImapOutcome outcome = runImapCommand(client, _options.imapCommand, _out);
		if (outcome != ImapOutcome::Quit)
		{
			const ImapReply logout = client.command("LOGOUT");
			client.close();
			if (!logout.ok())
			{
				_err << "mail-agent: LOGOUT failed: " << logout.statusLine() << "\n";
				return 1;
			}
		}
		return outcome == ImapOutcome::Failed ? 1 : 0;
	}
	catch (const std::runtime_error& e) // EndpointError, ImapError
	{
		_err << "mail-agent: " << e.what() << "\n";
		return 1;
	}
}


bool AgentShell::readLine(const std::string& prompt, std::string& line, const std::vector<std::string>& commands)
{
	if (_editor)
	{
		_out << std::flush;
		return _editor->readLine(prompt, commands, line);
	}
	_out << prompt << std::flush;
	if (!std::getline(_in, line)) return false;
	if (!line.empty() && line.back() == '\r') line.pop_back();
	if (_echoInput) _out << line << "\n";
	return true;
}


void AgentShell::composeInteractively()
{
	std::vector<std::string> to;
	std::string line;
	while (readLine("To: ", line))
	{
		std::string address = Poco::trim(line);
		if (address.empty()) break;
		to.push_back(address);
	}
	if (to.empty())
	{
		_out << "no recipients; nothing sent\n";
		return;
	}
	std::string subject, content;
	if (!readLine("Subject: ", subject) || !readLine("Content: ", content))
	{
		_out << "\ninput ended; nothing sent\n";
		return;
	}
	send(to, subject, content);
}


bool AgentShell::send(const std::vector<std::string>& to, const std::string& subject, const std::string& content)
{
	MailMessage message;
	composeMessage(message, _options.email, to, subject, content);
	const SubmitSecurity security{_options.tls, _options.auth, _options.email, _options.password};
	std::string error = submitMessage(_smtp, message, NetworkTimeout, security);
	Poco::Logger& log = Poco::Logger::get("agent");
	std::string id = newSessionId();
	if (!error.empty())
	{
		log.debug("%s smtp not-sent server=%s reason=%s", id, _smtp.toString(), quoteForLog(error));
		_out << "not sent: " << error << "\n";
		return false;
	}
	log.debug("%s smtp sent server=%s rcpts=%z", id, _smtp.toString(), to.size());
	_out << "sent to " << to.size() << (to.size() == 1 ? " recipient" : " recipients") << "\n";
	return true;
}


void AgentShell::popSession()
{
	try
	{
		Pop3Client client(_pop, NetworkTimeout, _options.tls);
		client.login(_options.email, _options.password);
		std::string line;
		while (readLine(PopPrompt, line, PopCommands))
		{
			if (runPopCommand(client, splitWords(line), _out) == PopOutcome::Quit) return;
		}
		client.close();
		_out << "\ninput ended without quit: the POP3 session was dropped, nothing deleted\n";
	}
	catch (const Pop3Error& e)
	{
		_out << "pop: " << e.what() << "\n";
	}
}


void AgentShell::imapSession()
{
	try
	{
		ImapClient client(_findImap(), NetworkTimeout, imapTls(_options));
		client.login(_options.email, _options.password);
		_out << selectInbox(client) << "\n";
		std::string line;
		while (readLine(ImapPrompt, line, ImapCommands))
		{
			if (runImapCommand(client, splitWords(line), _out) == ImapOutcome::Quit) return;
		}
		client.close();
		_out << "\ninput ended without quit: the IMAP session was dropped (flags already stored stay)\n";
	}
	catch (const std::runtime_error& e) // EndpointError, ImapError
	{
		_out << "imap: " << e.what() << "\n";
	}
}


} // namespace mail
