// pop3_command.cpp - strict parsing of one POP3 command line (RFC 1939, RFC 2449); pure, no I/O.
#include "server/pop3/pop3_command.h"

#include <Poco/String.h>

#include <limits>
#include <vector>


namespace mail {


namespace {


enum class Args
{
	None,           ///< no argument
	OptionalNumber, ///< LIST [n], UIDL [n]
	Number,         ///< RETR n, DELE n
	TwoNumbers,     ///< TOP n l
	Word,           ///< USER name
	Rest,           ///< PASS secret: everything after the first space
	Any             ///< APOP, AUTH: kept as text; the session refuses them anyway
};


struct VerbRow
{
	const char* name;
	Pop3Verb verb;
	Args args;
};


const VerbRow kVerbs[] = {
	{"USER", Pop3Verb::User, Args::Word},
	{"PASS", Pop3Verb::Pass, Args::Rest},
	{"APOP", Pop3Verb::Apop, Args::Any},
	{"AUTH", Pop3Verb::Auth, Args::Any},
	{"STLS", Pop3Verb::Stls, Args::None},
	{"CAPA", Pop3Verb::Capa, Args::None},
	{"QUIT", Pop3Verb::Quit, Args::None},
	{"STAT", Pop3Verb::Stat, Args::None},
	{"LIST", Pop3Verb::List, Args::OptionalNumber},
	{"RETR", Pop3Verb::Retr, Args::Number},
	{"DELE", Pop3Verb::Dele, Args::Number},
	{"NOOP", Pop3Verb::Noop, Args::None},
	{"RSET", Pop3Verb::Rset, Args::None},
	{"TOP", Pop3Verb::Top, Args::TwoNumbers},
	{"UIDL", Pop3Verb::Uidl, Args::OptionalNumber},
};


std::vector<std::string> splitWords(const std::string& text)
{
	std::vector<std::string> words;
	std::size_t pos = 0;
	while (pos < text.size())
	{
		if (text[pos] == ' ')
		{
			++pos;
			continue;
		}
		const std::size_t end = std::min(text.find(' ', pos), text.size());
		words.push_back(text.substr(pos, end - pos));
		pos = end;
	}
	return words;
}


bool takeNumbers(const std::vector<std::string>& words, Pop3Command& cmd)
{
	for (const std::string& word: words)
	{
		if (!parseDecimal(word, cmd.numbers[cmd.numberCount]))
		{
			cmd.error = "invalid number " + (word.size() > 20 ? word.substr(0, 20) + "..." : word);
			return false;
		}
		++cmd.numberCount;
	}
	return true;
}


} // namespace


const char* toString(Pop3Verb verb)
{
	for (const VerbRow& row: kVerbs)
	{
		if (row.verb == verb) return row.name;
	}
	return "UNKNOWN";
}


bool parseDecimal(const std::string& text, std::uint64_t& value)
{
	if (text.empty()) return false;
	constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
	std::uint64_t result = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		const unsigned digit = static_cast<unsigned>(c - '0');
		if (result > (kMax - digit) / 10) return false;
		result = result * 10 + digit;
	}
	value = result;
	return true;
}


Pop3Command parsePop3Command(const std::string& line)
{
	Pop3Command cmd;
	const std::size_t space = line.find(' ');
	cmd.verbText = line.substr(0, space);
	const std::string rest = space == std::string::npos ? std::string() : line.substr(space + 1);
	if (cmd.verbText.empty())
	{
		cmd.error = "empty command";
		return cmd;
	}
	const VerbRow* found = nullptr;
	for (const VerbRow& row: kVerbs)
	{
		if (Poco::icompare(cmd.verbText, row.name) == 0) found = &row;
	}
	if (!found)
	{
		cmd.error = "unknown command";
		return cmd;
	}
	cmd.verb = found->verb;

	const std::vector<std::string> words = splitWords(rest);
	const std::string name = found->name;
	switch (found->args)
	{
	case Args::None:
		if (!words.empty()) cmd.error = name + " takes no argument";
		break;
	case Args::OptionalNumber:
		if (words.size() > 1) cmd.error = name + " takes at most one argument";
		else takeNumbers(words, cmd);
		break;
	case Args::Number:
		if (words.size() != 1) cmd.error = name + " needs exactly one message number";
		else takeNumbers(words, cmd);
		break;
	case Args::TwoNumbers:
		if (words.size() != 2) cmd.error = name + " needs a message number and a line count";
		else takeNumbers(words, cmd);
		break;
	case Args::Word:
		if (words.size() != 1) cmd.error = name + " needs exactly one argument";
		else cmd.text = words.front();
		break;
	case Args::Rest:
		if (rest.empty()) cmd.error = name + " needs an argument";
		else cmd.text = rest;
		break;
	case Args::Any:
		cmd.text = rest;
		break;
	}
	return cmd;
}


} // namespace mail
