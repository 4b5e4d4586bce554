// password_hash.h - account passwords as written in the config: plain, or salted PBKDF2-SHA256.
//
// A hashed password reads `$pbkdf2-sha256$i=ITERATIONS$SALT$HASH`, SALT and HASH in
// standard base64 (RFC 4648 section 4), HASH being PBKDF2-HMAC-SHA256 (RFC 8018) of the
// password's UTF-8 octets, as long as its decoded length (32 octets from hashPassword).
// Anything not starting with `$pbkdf2-sha256$` is a plain password (the course's data).
#pragma once

#include <string>


namespace mail {


constexpr unsigned kDefaultPbkdf2Iterations = 100000;

std::string hashPassword(const std::string& password, unsigned iterations = kDefaultPbkdf2Iterations);
/// A new hash string with a random 16-octet salt. Throws std::runtime_error when OpenSSL
/// cannot give random octets.

bool isPasswordHash(const std::string& stored);
/// Whether stored starts with the hash prefix (then it must parse: see checkPasswordHash).

std::string checkPasswordHash(const std::string& stored);
/// Empty when stored is a plain password or a well-formed hash; else why it is not
/// (for the config check, so a typo is refused at start, not at the first login).

bool verifyPassword(const std::string& stored, const std::string& given);
/// Whether given matches stored (plain or hashed). Compared in constant time
/// (CRYPTO_memcmp) over equal-length digests, so timing tells nothing about how much
/// matched. A malformed hash never matches.


} // namespace mail
