// log.cpp - logging setup and helpers for one-line `key=value` events.
#include "common/log.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Process.h>

#include <atomic>
#include <cstdio>

using Poco::AutoPtr;


namespace mail {


void setupLogging(const LoggingConfig& config, const std::string& program)
{
	AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i [%p] %s: %t"));
	formatter->setProperty("times", "local");
	AutoPtr<Poco::Channel> sink;
	if (config.file.empty())
	{
		sink = new Poco::ConsoleChannel; // standard error
	}
	else
	{
		AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(config.file));
		file->setProperty("flush", "true");
		sink = file;
	}
	AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, sink));
	Poco::Logger::root().setChannel(channel);
	Poco::Logger::setLevel("", Poco::Logger::parseLevel(config.level));
	Poco::Logger::get("app").debug("- logging level=%s program=%s", config.level, program);
}


std::string quoteForLog(const std::string& text, std::size_t maxLength)
{
	std::string out = "\"";
	std::size_t shown = 0;
	for (unsigned char c: text)
	{
		if (shown++ >= maxLength)
		{
			out += "...";
			break;
		}
		if (c == '\r') out += "\\r";
		else if (c == '\n') out += "\\n";
		else if (c == '\t') out += "\\t";
		else if (c == '"' || c == '\\')
		{
			out += '\\';
			out += static_cast<char>(c);
		}
		else if (c < 0x20 || c == 0x7f)
		{
			char buf[5];
			std::snprintf(buf, sizeof buf, "\\x%02x", c);
			out += buf;
		}
		else out += static_cast<char>(c);
	}
	return out + "\"";
}


std::string newSessionId()
{
	static std::atomic<std::uint32_t> counter{0};
	// Mix the pid into the start value so ids differ across restarts as well.
	static const std::uint32_t base = static_cast<std::uint32_t>(Poco::Process::id()) * 2654435761u;
	const std::uint32_t n = base + counter.fetch_add(1) * 0x9E3779B1u;
	char buf[9];
	std::snprintf(buf, sizeof buf, "%08x", n);
	return buf;
}


} // namespace mail
