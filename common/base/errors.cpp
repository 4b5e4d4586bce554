// errors.cpp - exception types.
#include "common/base/errors.h"


namespace mail {


namespace {


std::string describe(const std::string& file, int line, const std::string& key, const std::string& message)
{
	std::string text = file;
	if (line > 0) text += ":" + std::to_string(line);
	text += ": ";
	if (!key.empty()) text += key + ": ";
	return text + message;
}


} // namespace


ConfigError::ConfigError(const std::string& file, int line, const std::string& key, const std::string& message):
	std::runtime_error(describe(file, line, key, message)),
	_file(file),
	_line(line),
	_key(key),
	_message(message)
{
}


} // namespace mail
