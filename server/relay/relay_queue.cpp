// relay_queue.cpp - durable outbound queue: message + envelope files, crash-safe writes.
#include "server/relay/relay_queue.h"

#include "common/log.h"
#include "server/store/durable_file.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <sstream>
#include <unistd.h>

using Poco::DirectoryIterator;
using Poco::File;


namespace mail {


namespace {


const char* const kMessageSuffix = ".msg";
const char* const kEnvelopeSuffix = ".env";
const char* const kTempSuffix = ".tmp";


void writeDurably(const std::string& finalPath, const std::string& data)
/// tmp -> fsync -> rename; the caller fsyncs the directory.
{
	writeFileDurably(finalPath, finalPath + kTempSuffix, data);
}


std::string newQueueId()
/// Time-ordered and unique across restarts: seconds, microseconds, process counter.
{
	static std::atomic<unsigned> counter{0};
	const Poco::Timestamp now;
	char buf[48];
	std::snprintf(buf, sizeof buf, "%010llx%05llx%04x",
		static_cast<unsigned long long>(now.epochTime()),
		static_cast<unsigned long long>(now.epochMicroseconds() % 1000000),
		counter.fetch_add(1) & 0xffffu);
	return buf;
}


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


bool endsWith(const std::string& text, const std::string& suffix)
{
	return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
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
	out << "version\t1\n"
		<< "id\t" << escapeField(envelope.id) << "\n"
		<< "sender\t" << escapeField(envelope.sender) << "\n"
		<< "arrival\t" << envelope.arrival << "\n"
		<< "attempts\t" << envelope.attempts << "\n"
		<< "next\t" << envelope.nextAttempt << "\n";
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
	bool ended = false, versioned = false;
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
			if (f[1] != "1") throw Poco::DataFormatException("unknown envelope version", f[1]);
			versioned = true;
		}
		else if (key == "id") envelope.id = f[1];
		else if (key == "sender") envelope.sender = f[1];
		else if (key == "arrival") envelope.arrival = Poco::NumberParser::parse64(f[1]);
		else if (key == "attempts") envelope.attempts = Poco::NumberParser::parseUnsigned(f[1]);
		else if (key == "next") envelope.nextAttempt = Poco::NumberParser::parse64(f[1]);
		else if (key == "hold") envelope.held = f[1] == "1";
		else throw Poco::DataFormatException("unknown envelope key", key);
	}
	if (!versioned || !ended || envelope.id.empty() || envelope.recipients.empty())
		throw Poco::DataFormatException("incomplete envelope");
	return envelope;
}


RelayQueue::RelayQueue(const std::string& queueDir):
	_dir(queueDir)
{
}


void RelayQueue::ensureDirectory()
{
	std::call_once(_dirCreated, [this] { File(_dir).createDirectories(); });
}


std::string RelayQueue::path(const std::string& id, const char* suffix) const
{
	return _dir + "/" + id + suffix;
}


void RelayQueue::setListener(Listener listener)
{
	_listener = std::move(listener);
}


std::string RelayQueue::enqueue(const std::string& sender, const std::vector<std::string>& recipients,
	const std::string& message)
{
	if (recipients.empty()) throw Poco::InvalidArgumentException("enqueue without recipients");
	ensureDirectory();
	QueueEnvelope envelope;
	envelope.id = newQueueId();
	envelope.sender = sender;
	for (const auto& r: recipients) envelope.recipients.push_back(QueuedRecipient{r, RecipientState::Pending, {}, {}, {}});
	envelope.arrival = Poco::Timestamp().epochTime();
	envelope.nextAttempt = envelope.arrival;

	const std::string msgPath = path(envelope.id, kMessageSuffix);
	writeDurably(msgPath, message);
	try
	{
		writeDurably(path(envelope.id, kEnvelopeSuffix), formatEnvelope(envelope));
		syncDirectory(_dir);
	}
	catch (...)
	{
		::unlink(path(envelope.id, kEnvelopeSuffix).c_str());
		::unlink(msgPath.c_str());
		throw;
	}
	if (_listener) _listener(envelope);
	return envelope.id;
}


std::vector<QueueEnvelope> RelayQueue::scan()
{
	ensureDirectory();
	std::vector<std::string> messages, envelopes, temps;
	for (DirectoryIterator it(_dir), end; it != end; ++it)
	{
		const std::string& name = it.name();
		if (endsWith(name, kTempSuffix)) temps.push_back(name);
		else if (endsWith(name, kEnvelopeSuffix)) envelopes.push_back(name.substr(0, name.size() - 4));
		else if (endsWith(name, kMessageSuffix)) messages.push_back(name.substr(0, name.size() - 4));
	}
	for (const auto& name: temps) ::unlink((_dir + "/" + name).c_str());
	std::sort(envelopes.begin(), envelopes.end());
	for (const auto& id: messages)
	{
		if (!std::binary_search(envelopes.begin(), envelopes.end(), id)) ::unlink(path(id, kMessageSuffix).c_str());
	}
	std::vector<QueueEnvelope> result;
	for (const auto& id: envelopes)
	{
		QueueEnvelope envelope;
		try
		{
			if (File(path(id, kMessageSuffix)).exists() && load(id, envelope)) result.push_back(std::move(envelope));
		}
		catch (const Poco::Exception& exc)
		{
			// Keep the files for a human, out of the way of the workers.
			Poco::Logger::get("relay").error("%s queue-corrupt error=%s", id, quoteForLog(exc.displayText()));
			::rename(path(id, kEnvelopeSuffix).c_str(), (path(id, kEnvelopeSuffix) + ".corrupt").c_str());
		}
	}
	return result;
}


std::vector<QueueEnvelope> RelayQueue::list() const
{
	std::vector<std::string> envelopes;
	try
	{
		for (DirectoryIterator it(_dir), end; it != end; ++it)
		{
			const std::string& name = it.name();
			if (endsWith(name, kEnvelopeSuffix)) envelopes.push_back(name.substr(0, name.size() - 4));
		}
	}
	catch (const Poco::FileNotFoundException&)
	{
		return {}; // nothing enqueued yet
	}
	std::sort(envelopes.begin(), envelopes.end());
	std::vector<QueueEnvelope> result;
	for (const auto& id: envelopes)
	{
		// An .env appears by rename() after its .msg is durable, so what exists is whole;
		// a message removed or corrupt meanwhile is simply not listed.
		QueueEnvelope envelope;
		try
		{
			if (load(id, envelope) && ::access(path(id, kMessageSuffix).c_str(), F_OK) == 0)
				result.push_back(std::move(envelope));
		}
		catch (const Poco::Exception&)
		{
		}
	}
	return result;
}


bool RelayQueue::load(const std::string& id, QueueEnvelope& envelope) const
{
	const std::string envPath = path(id, kEnvelopeSuffix);
	if (::access(envPath.c_str(), F_OK) != 0) return false;
	envelope = parseEnvelope(readWholeFile(envPath));
	if (envelope.id != id) throw Poco::DataFormatException("envelope id does not match its file", envPath);
	return true;
}


std::string RelayQueue::readMessage(const std::string& id) const
{
	return readWholeFile(path(id, kMessageSuffix));
}


void RelayQueue::update(const QueueEnvelope& envelope)
{
	writeDurably(path(envelope.id, kEnvelopeSuffix), formatEnvelope(envelope));
	syncDirectory(_dir);
}


void RelayQueue::remove(const std::string& id)
{
	if (::unlink(path(id, kEnvelopeSuffix).c_str()) != 0 && errno != ENOENT)
		throwErrno("cannot remove", path(id, kEnvelopeSuffix), errno);
	syncDirectory(_dir);
	::unlink(path(id, kMessageSuffix).c_str());
}


} // namespace mail
