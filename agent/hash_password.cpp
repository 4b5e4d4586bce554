// hash_password.cpp - `mail-agent hash-password`: a PBKDF2-SHA256 hash for an `accounts:` entry.
#include "agent/hash_password.h"

#include "common/base/errors.h"
#include "common/mail/password_hash.h"

#include <istream>
#include <ostream>
#include <string>

#include <termios.h>
#include <unistd.h>


namespace mail {


namespace {


/// Reads one line from standard input with the terminal's echo off, restoring it after.
std::string readHidden(std::istream& in, std::ostream& err, const char* prompt)
{
	err << prompt << std::flush;
	termios saved{};
	const bool hidden = ::tcgetattr(STDIN_FILENO, &saved) == 0;
	if (hidden)
	{
		termios quiet = saved;
		quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
		::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	std::string line;
	std::getline(in, line);
	if (hidden) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	err << "\n";
	return line;
}


} // namespace


int runHashPassword(std::istream& in, std::ostream& out, std::ostream& err, bool terminal)
{
	std::string password;
	if (terminal)
	{
		password = readHidden(in, err, "Password: ");
		if (readHidden(in, err, "Again: ") != password)
		{
			err << "mail-agent: hash-password: the two passwords differ\n";
			return ExitUsage;
		}
	}
	else
	{
		std::getline(in, password);
		if (!password.empty() && password.back() == '\r') password.pop_back();
	}
	if (password.empty())
	{
		err << "mail-agent: hash-password: empty password\n";
		return ExitUsage;
	}
	out << hashPassword(password) << "\n";
	return ExitOk;
}


} // namespace mail
