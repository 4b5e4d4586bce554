// line_editor.cpp - line editing for the interactive agent on a terminal (libedit).
#include "agent/line_editor.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <editline/readline.h>


namespace mail {


namespace {


constexpr int kHistoryLines = 1000;

const std::vector<std::string>* currentCommands = nullptr; ///< of the prompt being read


/// rl_completion_matches generator: each command starting with text, one per call.
char* commandGenerator(const char* text, int state)
{
	static std::size_t next = 0;
	if (state == 0) next = 0;
	if (!currentCommands) return nullptr;
	const std::size_t length = std::strlen(text);
	while (next < currentCommands->size())
	{
		const std::string& command = (*currentCommands)[next++];
		if (command.compare(0, length, text) == 0) return ::strdup(command.c_str());
	}
	return nullptr;
}


char** completeCommand(const char* text, int start, int)
{
	rl_attempted_completion_over = 1; // never fall back to file names
	if (start != 0) return nullptr;   // only the command word
	return rl_completion_matches(text, commandGenerator);
}


} // namespace


LineEditor::LineEditor(std::string historyFile):
	_historyFile(std::move(historyFile))
{
	rl_readline_name = "mail-agent";
	rl_attempted_completion_function = completeCommand;
	using_history();
	stifle_history(kHistoryLines);
	if (!_historyFile.empty()) read_history(_historyFile.c_str());
}


LineEditor::~LineEditor()
{
	currentCommands = nullptr;
}


bool LineEditor::readLine(const std::string& prompt, const std::vector<std::string>& commands, std::string& line)
{
	currentCommands = &commands;
	char* text = ::readline(prompt.c_str());
	currentCommands = nullptr;
	if (!text) return false;
	line = text;
	std::free(text);
	if (!line.empty())
	{
		add_history(line.c_str());
		if (!_historyFile.empty()) write_history(_historyFile.c_str());
	}
	return true;
}


std::string LineEditor::defaultHistoryFile()
{
	const char* home = std::getenv("HOME");
	return home && *home ? std::string(home) + "/.mail_agent_history" : std::string();
}


} // namespace mail
