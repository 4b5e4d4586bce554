// smtp_command_fuzz.cpp - libFuzzer target: SMTP command lines and MAIL/RCPT arguments.
//
// Any line must split into a verb and an argument without crashing; the argument is a
// suffix of the line. MAIL and RCPT arguments parse into either an error reply (a 5xx
// with text) or an address that fits RFC 5321's limits and prints back as a path, and the
// log helpers never let a raw control character or an unquoted space through.
#include "common/ops/log.h"
#include "server/smtp/smtp_command.h"

#include <cstdlib>
#include <string>


namespace {


void check(bool condition)
{
	if (!condition) std::abort();
}


void checkArguments(const mail::MailArguments& args)
{
	if (!args.ok)
	{
		check(args.error.code >= 400 && args.error.code <= 599 && !args.error.text.empty());
		return;
	}
	const std::string address = args.address.address();
	check(address.size() <= 256);
	check(args.address.path() == "<" + address + ">");
	const std::string logged = mail::logPath(address);
	for (unsigned char c: logged) check(c >= 0x20 && c != 0x7f);
	check(logged.find(' ') == std::string::npos || logged.front() == '"');
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	const std::string line(reinterpret_cast<const char*>(data), size);
	const mail::SmtpCommand command = mail::parseCommand(line);
	check(command.argument.size() <= line.size());
	check(line.find(command.argument) != std::string::npos);
	checkArguments(mail::parseMailArguments(command.argument));
	checkArguments(mail::parseRcptArguments(command.argument));
	checkArguments(mail::parseMailArguments(line));
	const std::string masked = mail::maskCredentials(line);
	check(masked.size() <= line.size() + 5);
	return 0;
}
