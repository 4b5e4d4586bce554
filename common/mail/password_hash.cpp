// password_hash.cpp - account passwords as written in the config: plain, or salted PBKDF2-SHA256.
#include "common/mail/password_hash.h"

#include "common/base/base64.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <stdexcept>


namespace mail {


namespace {


const std::string kPrefix = "$pbkdf2-sha256$";
constexpr std::size_t kSaltLength = 16;
/// Bounds on what a config may ask for: under 1000 iterations is no protection, over
/// 10 million makes each login a denial of service.
constexpr unsigned long kMinIterations = 1000;
constexpr unsigned long kMaxIterations = 10000000;
constexpr std::size_t kMaxHashLength = 64;


struct ParsedHash
{
	unsigned iterations = 0;
	std::string salt;
	std::string hash;
};


std::string parse(const std::string& stored, ParsedHash& out)
{
	if (stored.compare(0, kPrefix.size(), kPrefix) != 0) return "does not start with " + kPrefix;
	const std::string rest = stored.substr(kPrefix.size());
	const std::size_t saltAt = rest.find('$');
	const std::size_t hashAt = saltAt == std::string::npos ? saltAt : rest.find('$', saltAt + 1);
	if (hashAt == std::string::npos || rest.find('$', hashAt + 1) != std::string::npos)
		return "expected $pbkdf2-sha256$i=ITERATIONS$SALT$HASH";
	const std::string count = rest.substr(0, saltAt);
	if (count.size() < 3 || count.compare(0, 2, "i=") != 0 || count.size() > 10
		|| count.find_first_not_of("0123456789", 2) != std::string::npos)
		return "iteration count must read i=N";
	const unsigned long iterations = std::strtoul(count.c_str() + 2, nullptr, 10);
	if (iterations < kMinIterations || iterations > kMaxIterations)
		return "iteration count out of range (" + std::to_string(kMinIterations) + " to "
			+ std::to_string(kMaxIterations) + ")";
	const auto salt = decodeBase64Strict(rest.substr(saltAt + 1, hashAt - saltAt - 1));
	const auto hash = decodeBase64Strict(rest.substr(hashAt + 1));
	if (!salt || salt->empty()) return "salt is not base64";
	if (!hash || hash->empty() || hash->size() > kMaxHashLength) return "hash is not base64 (1 to 64 octets)";
	out.iterations = static_cast<unsigned>(iterations);
	out.salt = *salt;
	out.hash = *hash;
	return {};
}


std::string derive(const std::string& password, const std::string& salt, unsigned iterations, std::size_t length)
{
	std::string out(length, '\0');
	const int ok = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
		reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), static_cast<int>(iterations),
		EVP_sha256(), static_cast<int>(length), reinterpret_cast<unsigned char*>(&out[0]));
	if (ok != 1) throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
	return out;
}


} // namespace


std::string hashPassword(const std::string& password, unsigned iterations)
{
	std::string salt(kSaltLength, '\0');
	if (RAND_bytes(reinterpret_cast<unsigned char*>(&salt[0]), static_cast<int>(salt.size())) != 1)
		throw std::runtime_error("no random octets for the salt");
	return kPrefix + "i=" + std::to_string(iterations) + "$" + encodeBase64(salt) + "$"
		+ encodeBase64(derive(password, salt, iterations, SHA256_DIGEST_LENGTH));
}


bool isPasswordHash(const std::string& stored)
{
	return stored.compare(0, kPrefix.size(), kPrefix) == 0;
}


std::string checkPasswordHash(const std::string& stored)
{
	if (!isPasswordHash(stored)) return {};
	ParsedHash parsed;
	return parse(stored, parsed);
}


bool verifyPassword(const std::string& stored, const std::string& given)
{
	if (!isPasswordHash(stored))
	{
		// Compare digests, not the strings: equal lengths, so neither the length nor the
		// first differing octet shows in the time taken.
		unsigned char a[SHA256_DIGEST_LENGTH];
		unsigned char b[SHA256_DIGEST_LENGTH];
		SHA256(reinterpret_cast<const unsigned char*>(stored.data()), stored.size(), a);
		SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), b);
		return CRYPTO_memcmp(a, b, sizeof a) == 0;
	}
	ParsedHash parsed;
	if (!parse(stored, parsed).empty()) return false;
	const std::string derived = derive(given, parsed.salt, parsed.iterations, parsed.hash.size());
	return CRYPTO_memcmp(derived.data(), parsed.hash.data(), derived.size()) == 0;
}


} // namespace mail
