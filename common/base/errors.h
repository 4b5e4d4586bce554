// errors.h - the project's exception types and exit codes.
#pragma once

#include <stdexcept>
#include <string>


namespace mail {


/// Exit statuses (SPEC.md; sysexits.h values).
enum ExitCode : int
{
	ExitOk = 0,
	ExitUsage = 64,       ///< EX_USAGE
	ExitUnavailable = 69, ///< EX_UNAVAILABLE: a port could not be bound
	ExitSoftware = 70,    ///< EX_SOFTWARE
	ExitConfig = 78       ///< EX_CONFIG
};


class ConfigError: public std::runtime_error
/// A configuration or zone problem, with where it is.
/// what() reads "FILE:LINE: KEY: MESSAGE" (line omitted when unknown, i.e. 0).
{
public:
	ConfigError(const std::string& file, int line, const std::string& key, const std::string& message);

	const std::string& file() const { return _file; }
	int line() const { return _line; }
	const std::string& key() const { return _key; }
	const std::string& message() const { return _message; }

private:
	std::string _file;
	int _line;
	std::string _key;
	std::string _message;
};


} // namespace mail
