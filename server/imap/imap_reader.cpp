// imap_reader.cpp - reading one IMAP command with its literals (RFC 9051 4.3, RFC 7888), bounded.
#include "server/imap/imap_reader.h"


namespace mail {


namespace {


ImapRead fromStatus(ReadStatus status)
{
	switch (status)
	{
	case ReadStatus::Ok: return ImapRead::Ok;
	case ReadStatus::TooLong: return ImapRead::TooLong;
	case ReadStatus::Timeout: return ImapRead::Timeout;
	case ReadStatus::Closed: return ImapRead::Closed;
	}
	return ImapRead::Closed;
}


} // namespace


bool literalAtEnd(const std::string& line, std::size_t& size, bool& synchronizing)
{
	if (line.size() < 3 || line.back() != '}') return false;
	std::size_t pos = line.size() - 1;
	synchronizing = true;
	if (line[pos - 1] == '+')
	{
		synchronizing = false;
		--pos;
	}
	const std::size_t close = pos;
	while (pos > 0 && line[pos - 1] >= '0' && line[pos - 1] <= '9') --pos;
	if (pos == close || pos == 0 || line[pos - 1] != '{' || close - pos > 10) return false;
	std::uint64_t value = 0;
	for (std::size_t i = pos; i < close; ++i) value = value * 10 + static_cast<unsigned>(line[i] - '0');
	if (value > 0xffffffffu) return false;
	size = static_cast<std::size_t>(value);
	return true;
}


ImapRead readImapCommand(SessionIo& io, std::string& command, std::size_t maxLine, std::size_t maxLiterals,
	const Poco::Timespan& deadline)
{
	command.clear();
	std::string line;
	ImapRead status = fromStatus(io.readLine(line, maxLine, deadline));
	if (status != ImapRead::Ok) return status;
	std::size_t budget = maxLiterals;
	std::size_t size = 0;
	bool synchronizing = true;
	while (literalAtEnd(line, size, synchronizing))
	{
		command += line;
		command += "\r\n";
		if (size > budget) return synchronizing ? ImapRead::LiteralTooLarge : ImapRead::LiteralDesync;
		budget -= size;
		if (synchronizing)
		{
			io.send("+ go ahead");
			io.flush();
		}
		// The literal's octets come as lines too; CR LF inside it are put back as read.
		std::string stream;
		bool needMore = true;
		while (needMore)
		{
			status = fromStatus(io.readLine(line, size - stream.size() + maxLine, deadline));
			if (status == ImapRead::TooLong) return ImapRead::LiteralDesync;
			if (status != ImapRead::Ok) return status;
			stream += line;
			stream += io.reader().endedWithCRLF() ? "\r\n" : "\n";
			needMore = stream.size() <= size;
		}
		command.append(stream, 0, size);
		std::string rest = stream.substr(size);
		// rest is the line after the literal with its terminator.
		rest.resize(rest.size() - (rest.size() >= 2 && rest[rest.size() - 2] == '\r' ? 2 : 1));
		line.swap(rest);
	}
	command += line;
	return ImapRead::Ok;
}


} // namespace mail
