// queue_envelope.cpp - the state text of a queued message and the head of a one-file entry: format, parse, escaping.
#include "server/store/queue/queue_envelope.h"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <sstream>


namespace mail {


namespace {


std::string escapeField(const std::string& text)
/// Backslash-escapes what would break the line format: \\, tab, CR, LF.
{
	std::string out;
	for (char c: text)
	{
		switch (c)
		{
		case '\\': out += "\\\\"; break;
		case '\t': out += "\\t"; break;
		case '\r': out += "\\r"; break;
		case '\n': out += "\\n"; break;
		default: out += c;
		}
	}
	return out;
}


std::string unescapeField(const std::string& text)
{
	std::string out;
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		if (text[i] != '\\' || i + 1 == text.size())
		{
			out += text[i];
			continue;
		}
		switch (text[++i])
		{
		case 't': out += '\t'; break;
		case 'r': out += '\r'; break;
		case 'n': out += '\n'; break;
		default: out += text[i];
		}
	}
	return out;
}


std::vector<std::string> splitTabs(const std::string& line)
{
	std::vector<std::string> fields;
	std::size_t start = 0;
	for (;;)
	{
		const std::size_t tab = line.find('\t', start);
		fields.push_back(unescapeField(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start)));
		if (tab == std::string::npos) return fields;
		start = tab + 1;
	}
}


RecipientState parseState(const std::string& text)
{
	for (RecipientState s: {RecipientState::Pending, RecipientState::Delivered, RecipientState::Failed,
			 RecipientState::Bounced})
	{
		if (text == toString(s)) return s;
	}
	throw Poco::DataFormatException("unknown recipient state", text);
}


const char* const kHeadMagic = "mailq\t1";
constexpr int kHeadNumberWidth = 20; ///< any std::uint64_t


std::uint64_t parseSize(const std::string& text)
{
	Poco::UInt64 value = 0;
	if (text.size() != kHeadNumberWidth || !Poco::NumberParser::tryParseUnsigned64(text, value))
		throw Poco::DataFormatException("bad size field", text);
	return value;
}


} // namespace


const char* toString(RecipientState state)
{
	switch (state)
	{
	case RecipientState::Pending: return "pending";
	case RecipientState::Delivered: return "delivered";
	case RecipientState::Failed: return "failed";
	case RecipientState::Bounced: return "bounced";
	}
	return "unknown";
}


bool QueueEnvelope::finished() const
{
	return std::all_of(recipients.begin(), recipients.end(), [](const QueuedRecipient& r) {
		return r.state == RecipientState::Delivered || r.state == RecipientState::Bounced;
	});
}


std::string formatEnvelope(const QueueEnvelope& envelope)
{
	std::ostringstream out;
	// An entry recovered from version 1 has no size to record and stays version 1.
	const bool sized = envelope.size >= 0;
	out << "version\t" << (sized ? 2 : 1) << "\n"
		<< "id\t" << escapeField(envelope.id) << "\n"
		<< "sender\t" << escapeField(envelope.sender) << "\n"
		<< "arrival\t" << envelope.arrival << "\n"
		<< "attempts\t" << envelope.attempts << "\n"
		<< "next\t" << envelope.nextAttempt << "\n";
	if (sized) out << "size\t" << envelope.size << "\n";
	// Only when held, so envelopes that never were stay byte for byte as before.
	if (envelope.held) out << "hold\t1\n";
	for (const auto& r: envelope.recipients)
	{
		out << "rcpt\t" << toString(r.state) << "\t" << escapeField(r.address) << "\t" << escapeField(r.status)
			<< "\t" << escapeField(r.remoteMta) << "\t" << escapeField(r.diagnostic) << "\n";
	}
	out << "end\n";
	return out.str();
}


QueueEnvelope parseEnvelope(const std::string& text)
{
	QueueEnvelope envelope;
	std::istringstream in(text);
	std::string line;
	bool ended = false;
	int version = 0;
	while (std::getline(in, line))
	{
		const std::vector<std::string> f = splitTabs(line);
		const std::string& key = f[0];
		if (key == "end" && f.size() == 1)
		{
			ended = true;
			break;
		}
		if (key == "rcpt")
		{
			if (f.size() != 6) throw Poco::DataFormatException("bad recipient line", line);
			envelope.recipients.push_back(QueuedRecipient{f[2], parseState(f[1]), f[3], f[4], f[5]});
			continue;
		}
		if (f.size() != 2) throw Poco::DataFormatException("bad envelope line", line);
		if (key == "version")
		{
			if (f[1] != "1" && f[1] != "2") throw Poco::DataFormatException("unknown envelope version", f[1]);
			version = f[1] == "1" ? 1 : 2;
		}
		else if (key == "id") envelope.id = f[1];
		else if (key == "sender") envelope.sender = f[1];
		else if (key == "arrival") envelope.arrival = Poco::NumberParser::parse64(f[1]);
		else if (key == "attempts") envelope.attempts = Poco::NumberParser::parseUnsigned(f[1]);
		else if (key == "next") envelope.nextAttempt = Poco::NumberParser::parse64(f[1]);
		else if (key == "size" && version == 2) envelope.size = Poco::NumberParser::parse64(f[1]);
		else if (key == "hold") envelope.held = f[1] == "1";
		else throw Poco::DataFormatException("unknown envelope key", key);
	}
	if (version == 0 || !ended || envelope.id.empty() || envelope.recipients.empty() || (version == 2 && envelope.size < 0))
		throw Poco::DataFormatException("incomplete envelope");
	return envelope;
}


QueueEnvelope QueueEntryHead::envelope() const
{
	QueueEnvelope e;
	e.id = id;
	e.sender = sender;
	for (const auto& r: recipients) e.recipients.push_back(QueuedRecipient{r, RecipientState::Pending, {}, {}, {}});
	e.arrival = arrival;
	e.nextAttempt = arrival;
	e.size = static_cast<std::int64_t>(wireSize);
	return e;
}


std::string formatEntryHead(const QueueEntryHead& head)
{
	std::ostringstream out;
	out << kHeadMagic << "\n"
		<< "id\t" << escapeField(head.id) << "\n"
		<< "sender\t" << escapeField(head.sender) << "\n"
		<< "arrival\t" << head.arrival << "\n"
		<< "body\t" << std::setfill('0') << std::setw(kHeadNumberWidth) << head.bodySize << "\t"
		<< std::setw(kHeadNumberWidth) << head.wireSize << "\t" << (head.eightBit ? "8bit" : "7bit") << "\n";
	for (const auto& r: head.recipients) out << "rcpt\t" << escapeField(r) << "\n";
	out << "end\n";
	return out.str();
}


std::size_t parseEntryHead(const char* data, std::size_t length, QueueEntryHead& head)
{
	const std::size_t magic = std::strlen(kHeadMagic);
	if (length < magic + 1) return 0;
	if (std::memcmp(data, kHeadMagic, magic) != 0 || data[magic] != '\n')
		throw Poco::DataFormatException("not a queue entry (no mailq head)");
	const void* found = ::memmem(data, length, "\nend\n", 5);
	if (!found) return 0;
	const std::size_t headLength = static_cast<std::size_t>(static_cast<const char*>(found) - data) + 5;
	QueueEntryHead h;
	bool body = false, arrival = false;
	std::size_t pos = magic + 1;
	while (pos < headLength - 4)
	{
		const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(std::memchr(data + pos, '\n', headLength - pos)) - data);
		const std::string line(data + pos, nl - pos);
		pos = nl + 1;
		const std::vector<std::string> f = splitTabs(line);
		const std::string& key = f[0];
		if (key == "rcpt" && f.size() == 2 && !f[1].empty()) h.recipients.push_back(f[1]);
		else if (key == "body" && f.size() == 4 && (f[3] == "8bit" || f[3] == "7bit"))
		{
			h.bodySize = parseSize(f[1]);
			h.wireSize = parseSize(f[2]);
			h.eightBit = f[3] == "8bit";
			body = true;
		}
		else if (f.size() != 2) throw Poco::DataFormatException("bad queue entry head line", line);
		else if (key == "id") h.id = f[1];
		else if (key == "sender") h.sender = f[1];
		else if (key == "arrival")
		{
			Poco::Int64 value = 0;
			if (!Poco::NumberParser::tryParse64(f[1], value)) throw Poco::DataFormatException("bad arrival", f[1]);
			h.arrival = value;
			arrival = true;
		}
		else throw Poco::DataFormatException("unknown queue entry head key", key);
	}
	if (h.id.empty() || h.recipients.empty() || !body || !arrival || h.wireSize < h.bodySize)
		throw Poco::DataFormatException("incomplete queue entry head");
	head = std::move(h);
	return headLength;
}


} // namespace mail
