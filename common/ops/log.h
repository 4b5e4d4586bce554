// log.h - logging setup and helpers for one-line `key=value` events.
//
// Every component has its own Poco::Logger ("smtp", "pop3", "relay", "dns", "app", ...).
// Lines look like:  2026-11-22 10:00:00.123 [information] smtp: 1a2b3c4d connected peer=127.0.0.1:5000
#pragma once

#include "common/config/config.h"

#include <Poco/Logger.h>

#include <string>


namespace mail {


void setupLogging(const LoggingConfig& config, const std::string& program);
/// Sets the root channel (console or file, with the project's pattern) and the level
/// of every logger. May be called again (SIGHUP reload): the destination is switched
/// for every logger at once. Throws ConfigError-free std::invalid_argument for a bad level
/// (config loading already rejects those).

std::string quoteForLog(const std::string& text, std::size_t maxLength = 200);
/// Client input made safe for one log line: control characters escaped (\r, \n, \xNN),
/// cut to maxLength with "..." appended, wrapped in double quotes.

std::string logPath(const std::string& address);
/// An address for a `key=<...>` log field: "<a@b>" when it is plain printable ASCII,
/// else the whole "<...>" quoted and escaped as quoteForLog() does, so a quoted local part
/// such as "x status=2.0.0 relay=a"@d cannot pose as fields of its own.

std::string maskCredentials(const std::string& line);
/// A command line as the transcript may show it: what follows PASS, the digest of APOP
/// and the initial response of AUTH (the mechanism kept) become "****", whatever the case
/// of the verb and whether a space or a tab follows it. Every session's "<<<" trace goes
/// through this; a line read while an AUTH exchange is in progress is logged as
/// kMaskedLine instead.

constexpr const char* kMaskedLine = "****";
/// What the transcript shows for a line that is all credentials (AUTH continuation lines).

std::string newSessionId();
/// A short hex id for a session or message (16 hex digits: the time in seconds, then a
/// random per-process start plus a counter), unique across processes and restarts, so
/// that it can name a message along its path across providers.


} // namespace mail
