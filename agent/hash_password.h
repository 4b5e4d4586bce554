// hash_password.h - `mail-agent hash-password`: a PBKDF2-SHA256 hash for an `accounts:` entry.
#pragma once

#include <iosfwd>


namespace mail {


int runHashPassword(std::istream& in, std::ostream& out, std::ostream& err, bool terminal);
/// Reads the password: on a terminal, asked twice without echo; otherwise the first line
/// of in (so `echo pass | mail-agent hash-password` works in scripts). Prints the hash
/// string (common/mail/password_hash.h) on out. 0, or 64 for an empty password or two
/// different answers.


} // namespace mail
