// log.cpp - logging setup and helpers for one-line `key=value` events.
#include "common/ops/log.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/PatternFormatter.h>
#include <Poco/String.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

using Poco::AutoPtr;


namespace mail {


namespace {


class SwitchChannel: public Poco::Channel
/// The one channel every logger writes to; setupLogging() replaces what it forwards to.
/// Poco's loggers each keep the channel they were made with and Logger::setChannel is
/// not safe against threads logging at that moment, so a reload (SIGHUP) swaps the
/// target here, under a mutex, instead of on the loggers.
{
public:
	void log(const Poco::Message& message) override
	{
		AutoPtr<Poco::Channel> target;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			target = _target;
		}
		if (target) target->log(message);
	}

	void setTarget(AutoPtr<Poco::Channel> target)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_target = std::move(target);
	}

private:
	std::mutex _mutex;
	AutoPtr<Poco::Channel> _target;
};


SwitchChannel& switchChannel()
{
	static AutoPtr<SwitchChannel> channel = [] {
		AutoPtr<SwitchChannel> made(new SwitchChannel);
		Poco::Logger::root().setChannel(made);
		return made;
	}();
	return *channel;
}


} // namespace


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
	switchChannel().setTarget(channel);
	// Loggers made before the first call copied the root's channel then: point them here.
	Poco::Logger::setChannel("", &switchChannel());
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


std::string logPath(const std::string& address)
{
	bool plain = true;
	for (unsigned char c: address)
		plain = plain && c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>';
	const std::string path = "<" + address + ">";
	return plain ? path : quoteForLog(path, 300);
}


std::string maskCredentials(const std::string& line)
{
	const auto isBlank = [](char c) { return c == ' ' || c == '\t'; };
	std::size_t verbEnd = 0;
	while (verbEnd < line.size() && !isBlank(line[verbEnd])) ++verbEnd;
	const std::string verb = Poco::toUpper(line.substr(0, verbEnd));
	// Arguments kept before the secret: PASS none, APOP the user, AUTH the mechanism.
	int keep = -1;
	if (verb == "PASS") keep = 0;
	else if (verb == "APOP" || verb == "AUTH") keep = 1;
	if (keep < 0) return line;
	std::size_t pos = verbEnd;
	for (int i = 0; i < keep; ++i)
	{
		while (pos < line.size() && isBlank(line[pos])) ++pos;
		while (pos < line.size() && !isBlank(line[pos])) ++pos;
	}
	std::size_t secret = pos;
	while (secret < line.size() && isBlank(line[secret])) ++secret;
	if (secret == line.size()) return line; // nothing secret on the line
	return line.substr(0, pos) + " " + kMaskedLine;
}


std::string newSessionId()
{
	// Seconds in the high half, so ids of different processes and restarts differ; a random
	// start per process plus a counter in the low half, so ids within one second differ.
	// The pid alone made them collide: (pid + n) x constant repeated between pid P and P+1.
	// Re-seeded when the pid changes, so a forked child does not repeat its parent's ids.
	static std::mutex mutex;
	static pid_t owner = 0;
	static std::uint32_t next = 0;
	std::uint32_t low;
	{
		std::lock_guard<std::mutex> lock(mutex);
		const pid_t pid = ::getpid();
		if (pid != owner)
		{
			owner = pid;
			next = std::random_device()();
		}
		low = next;
		next += 0x9E3779B1u; // odd: visits every 32-bit value before repeating
	}
	const auto seconds = static_cast<std::uint32_t>(std::time(nullptr));
	char buf[17];
	std::snprintf(buf, sizeof buf, "%08x%08x", seconds, low);
	return buf;
}


} // namespace mail
