// pop3_command_fuzz.cpp - libFuzzer target: POP3 command parsing and RETR/TOP byte-stuffing.
//
// Any line must parse without crashing, into either an error or a command whose numbers
// print back (without leading zeros) as digits found in the line. Any data must byte-stuff into a body
// whose only "CRLF . CRLF" is the terminator and which un-stuffs back to the data with its
// bare LFs made CRLF (plus a CRLF when the data does not end a line); TOP never cuts past
// the data.
#include "server/store/mailbox.h"
#include "server/pop3/pop3_command.h"

#include <cstdlib>
#include <string>


namespace {


void check(bool condition)
{
	if (!condition) std::abort();
}


std::string unstuff(const std::string& body)
{
	std::string out;
	std::size_t pos = 0;
	while (pos < body.size())
	{
		const std::size_t end = body.find('\n', pos);
		const std::size_t next = end == std::string::npos ? body.size() : end + 1;
		out.append(body, body[pos] == '.' ? pos + 1 : pos, next - (body[pos] == '.' ? pos + 1 : pos));
		pos = next;
	}
	return out;
}


std::string crlfEnds(const std::string& data)
{
	std::string out;
	for (std::size_t i = 0; i < data.size(); ++i)
	{
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) out += '\r';
		out += data[i];
	}
	return out;
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char*>(data), size);

	const mail::Pop3Command cmd = mail::parsePop3Command(input);
	check(cmd.ok() || cmd.verb == mail::Pop3Verb::Unknown || !cmd.error.empty());
	check(cmd.numberCount <= 2);
	for (std::size_t i = 0; i < cmd.numberCount; ++i)
	{
		check(input.find(std::to_string(cmd.numbers[i])) != std::string::npos);
	}

	std::string body;
	mail::appendStuffed(body, input.data(), input.size());
	check(body.size() >= 3 && body.compare(body.size() - 3, 3, ".\r\n") == 0);
	const std::string content = body.substr(0, body.size() - 3);
	check(content.find("\n.\r\n") == std::string::npos && content.rfind(".\r\n", 0) != 0);
	const bool endsLine = input.empty() || input.back() == '\n';
	// the wire's line ends are CRLF: a bare LF goes out as CRLF (RFC 1939, RFC 5321 2.3.8)
	check(unstuff(content) == (endsLine ? crlfEnds(input) : crlfEnds(input) + "\r\n"));

	for (std::uint64_t lines: {0ull, 1ull, 3ull, ~0ull})
	{
		check(mail::topLength(input.data(), input.size(), lines) <= input.size());
	}
	return 0;
}
