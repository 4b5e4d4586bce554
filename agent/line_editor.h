// line_editor.h - line editing for the interactive agent on a terminal (libedit).
//
// Arrows and the usual Emacs keys, history kept across sessions in ~/.mail_agent_history,
// and tab completion of the commands of the current prompt. Used only when standard
// input is a terminal: scripts piping commands in read plain lines as before.
#pragma once

#include <string>
#include <vector>


namespace mail {


class LineEditor
/// One per process (libedit's readline interface has global state).
{
public:
	explicit LineEditor(std::string historyFile);
	/// Loads the history file if it exists. Empty: no history file.

	~LineEditor();

	LineEditor(const LineEditor&) = delete;
	LineEditor& operator=(const LineEditor&) = delete;

	bool readLine(const std::string& prompt, const std::vector<std::string>& commands, std::string& line);
	/// Shows prompt and reads one edited line; commands are what tab completes (empty:
	/// nothing). A non-empty line goes into the history, which is saved at once so a
	/// killed agent loses nothing. False at end of input (Ctrl-D).

	static std::string defaultHistoryFile();
	/// $HOME/.mail_agent_history, or empty when HOME is not set.

private:
	std::string _historyFile;
};


} // namespace mail
