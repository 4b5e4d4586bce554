// queue_envelope.cpp - the .env text of a queued message: format, parse, field escaping.
#include "server/store/queue/queue_envelope.h"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>

#include <algorithm>
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


} // namespace mail
