// pop_commands.cpp - POP3 shell commands: send, check the reply, print it for a person.
#include "agent/pop_commands.h"

#include "common/mail/mime_text.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <sstream>


namespace mail {


namespace {


constexpr std::size_t MaxNumberDigits = 9; ///< message numbers and line counts fit an int

struct CommandSpec
{
	const char* name;
	std::size_t minArgs;
	std::size_t maxArgs;
	bool multiLineWithoutArgs; ///< list/uidl: multi-line reply when given no argument
	bool multiLineAlways;      ///< retr/top
	const char* usage;
};


const CommandSpec Commands[] = {
	{"stat", 0, 0, false, false, "stat"},
	{"list", 0, 1, true, false, "list [N]"},
	{"retr", 1, 1, false, true, "retr N"},
	{"top", 2, 2, false, true, "top N LINES"},
	{"uidl", 0, 1, true, false, "uidl [N]"},
	{"dele", 1, 1, false, false, "dele N"},
	{"rset", 0, 0, false, false, "rset"},
	{"noop", 0, 0, false, false, "noop"},
	{"quit", 0, 0, false, false, "quit"},
};


const CommandSpec* findCommand(const std::string& name)
{
	for (const auto& spec: Commands)
		if (Poco::icompare(name, spec.name) == 0) return &spec;
	return nullptr;
}


void printStat(const Pop3Reply& reply, std::ostream& out)
{
	std::istringstream in(reply.text());
	unsigned long count = 0, bytes = 0;
	if (in >> count >> bytes)
		out << count << " messages (" << bytes << " bytes)\n";
	else
		out << reply.status << "\n";
}


} // namespace


std::vector<std::string> splitWords(const std::string& line)
{
	Poco::StringTokenizer tokens(line, " \t", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	return std::vector<std::string>(tokens.begin(), tokens.end());
}


PopOutcome runPopCommand(Pop3Client& client, const std::vector<std::string>& words, std::ostream& out)
{
	if (words.empty()) return PopOutcome::Ok;
	const CommandSpec* spec = findCommand(words[0]);
	if (!spec)
	{
		out << "unknown command " << words[0] << " (stat, list [N], retr N, top N L, uidl [N], dele N, rset, noop, quit)\n";
		return PopOutcome::Failed;
	}
	std::size_t args = words.size() - 1;
	bool numeric = true;
	for (std::size_t i = 1; i < words.size(); ++i)
		numeric = numeric && words[i].size() <= MaxNumberDigits && words[i].find_first_not_of("0123456789") == std::string::npos;
	if (args < spec->minArgs || args > spec->maxArgs || !numeric)
	{
		out << "usage: " << spec->usage << "\n";
		return PopOutcome::Failed;
	}
	std::string line = Poco::toUpper(std::string(spec->name));
	for (std::size_t i = 1; i < words.size(); ++i) line += " " + words[i];
	bool multiLine = spec->multiLineAlways || (spec->multiLineWithoutArgs && args == 0);
	Pop3Reply reply = multiLine ? client.multiLineCommand(line) : client.command(line);
	if (!reply.ok)
	{
		out << reply.status << "\n";
		return PopOutcome::Failed;
	}
	std::string name = spec->name;
	if (name == "stat") printStat(reply, out);
	else if (name == "retr" || name == "top") out << renderMessage(reply.data);
	else if (multiLine) out << unixLines(reply.data);
	else if (name == "list" || name == "uidl") out << reply.text() << "\n";
	else out << reply.status << "\n";
	if (name == "quit")
	{
		client.close();
		return PopOutcome::Quit;
	}
	return PopOutcome::Ok;
}


} // namespace mail
