// smtp_command.cpp - pure parsing of SMTP command lines: verb, argument, MAIL/RCPT paths and ESMTP parameters.
#include "server/smtp/smtp_command.h"

#include <Poco/String.h>

#include <limits>
#include <utility>


namespace mail {


namespace {


struct VerbName
{
	const char* name;
	SmtpVerb verb;
};

const VerbName kVerbs[] = {
	{"HELO", SmtpVerb::Helo},
	{"EHLO", SmtpVerb::Ehlo},
	{"MAIL", SmtpVerb::Mail},
	{"RCPT", SmtpVerb::Rcpt},
	{"DATA", SmtpVerb::Data},
	{"BDAT", SmtpVerb::Bdat},
	{"RSET", SmtpVerb::Rset},
	{"NOOP", SmtpVerb::Noop},
	{"QUIT", SmtpVerb::Quit},
	{"VRFY", SmtpVerb::Vrfy},
	{"EXPN", SmtpVerb::Expn},
	{"HELP", SmtpVerb::Help},
	{"AUTH", SmtpVerb::Auth},
	{"STARTTLS", SmtpVerb::Starttls},
};


MailArguments fail(int code, const std::string& text)
{
	MailArguments result;
	result.error = SmtpReply{code, text};
	return result;
}


/// Parses a decimal number without sign, overflow or trailing garbage.
bool parseSize(const std::string& text, std::size_t& value)
{
	if (text.empty() || text.size() > 20) return false;
	value = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		const std::size_t digit = static_cast<std::size_t>(c - '0');
		if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) return false;
		value = value * 10 + digit;
	}
	return true;
}


/// "FROM:" / "TO:" prefix, the path, and what follows it (the parameters).
MailArguments parsePrefixAndPath(const std::string& argument, const std::string& prefix, bool isSender,
	std::string& parameters)
{
	const char* syntax = isSender ? "5.5.4 Syntax: MAIL FROM:<address>" : "5.5.4 Syntax: RCPT TO:<address>";
	if (argument.size() < prefix.size() || Poco::icompare(argument.substr(0, prefix.size()), prefix) != 0)
		return fail(501, syntax);
	std::size_t start = prefix.size();
	while (start < argument.size() && argument[start] == ' ') ++start;
	const std::string rest = argument.substr(start);
	if (rest.empty()) return fail(501, syntax);
	const AddressParse path = parsePath(rest, isSender);
	if (!path.ok)
	{
		return fail(501, std::string(isSender ? "5.1.7 Bad sender address syntax" : "5.1.3 Bad recipient address syntax") + " (" + path.error + ")");
	}
	MailArguments result;
	result.ok = true;
	result.address = path.address;
	parameters = rest.substr(path.consumed);
	return result;
}


} // namespace


const char* toString(SmtpVerb verb)
{
	for (const auto& v: kVerbs)
	{
		if (v.verb == verb) return v.name;
	}
	return "UNKNOWN";
}


SmtpCommand parseCommand(const std::string& line)
{
	SmtpCommand command;
	std::size_t end = line.find(' ');
	command.verbText = line.substr(0, end);
	if (end != std::string::npos)
	{
		while (end < line.size() && line[end] == ' ') ++end;
		std::size_t last = line.size();
		while (last > end && (line[last - 1] == ' ' || line[last - 1] == '\t')) --last;
		command.argument = line.substr(end, last - end);
	}
	for (const auto& v: kVerbs)
	{
		if (Poco::icompare(command.verbText, v.name) == 0)
		{
			command.verb = v.verb;
			break;
		}
	}
	return command;
}


MailArguments parseMailArguments(const std::string& argument)
{
	std::string parameters;
	MailArguments result = parsePrefixAndPath(argument, "FROM:", true, parameters);
	if (!result.ok) return result;
	bool sawBody = false;
	std::size_t pos = 0;
	while (pos < parameters.size())
	{
		if (parameters[pos] == ' ')
		{
			++pos;
			continue;
		}
		std::size_t end = parameters.find(' ', pos);
		if (end == std::string::npos) end = parameters.size();
		const std::string parameter = parameters.substr(pos, end - pos);
		pos = end;
		const std::size_t eq = parameter.find('=');
		const std::string keyword = Poco::toUpper(parameter.substr(0, eq));
		const std::string value = eq == std::string::npos ? std::string() : parameter.substr(eq + 1);
		if (keyword == "SIZE")
		{
			if (result.hasSize) return fail(501, "5.5.4 Duplicate SIZE parameter");
			if (!parseSize(value, result.size)) return fail(501, "5.5.4 Bad SIZE parameter value");
			result.hasSize = true;
		}
		else if (keyword == "BODY")
		{
			if (sawBody) return fail(501, "5.5.4 Duplicate BODY parameter");
			const std::string upper = Poco::toUpper(value);
			if (upper == "7BIT") result.body = BodyType::SevenBit;
			else if (upper == "8BITMIME") result.body = BodyType::EightBitMime;
			else return fail(501, "5.5.4 Bad BODY parameter value (7BIT or 8BITMIME)");
			sawBody = true;
		}
		else
		{
			return fail(555, "5.5.4 Unsupported option: " + parameter.substr(0, 64));
		}
	}
	return result;
}


MailArguments parseRcptArguments(const std::string& argument)
{
	std::string parameters;
	MailArguments result = parsePrefixAndPath(argument, "TO:", false, parameters);
	if (!result.ok) return result;
	const std::size_t first = parameters.find_first_not_of(' ');
	if (first != std::string::npos) return fail(555, "5.5.4 Unsupported option: " + parameters.substr(first, 64));
	return result;
}


BdatArguments parseBdatArguments(const std::string& argument)
{
	BdatArguments result;
	const std::size_t end = argument.find(' ');
	std::size_t size = 0;
	if (!parseSize(argument.substr(0, end), size)) return result;
	result.size = size;
	if (end != std::string::npos)
	{
		const std::size_t keyword = argument.find_first_not_of(' ', end);
		if (keyword == std::string::npos || Poco::icompare(argument.substr(keyword), "LAST") != 0) return result;
		result.last = true;
	}
	result.ok = true;
	return result;
}


} // namespace mail
