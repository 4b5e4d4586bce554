// sasl_fuzz.cpp - libFuzzer target: strict base64 and the SASL PLAIN/LOGIN decoders of AUTH.
//
// Any input must decode without crashing. Whatever decodes re-encodes to text that
// decodes to the same octets; any octets encode to text that decodes back to them;
// a PLAIN result obeys RFC 4616 (two NULs, authcid and password present, fields at most
// 255 octets) and a LOGIN result holds no NUL, CR or LF.
#include "common/base/base64.h"
#include "server/auth/sasl.h"

#include <cstdlib>
#include <string>


namespace {


void check(bool condition)
{
	if (!condition) std::abort();
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char*>(data), size);

	const auto roundTrip = mail::decodeBase64Strict(mail::encodeBase64(input));
	check(roundTrip && *roundTrip == input);

	const auto decoded = mail::decodeBase64Strict(input);
	if (decoded)
	{
		const auto again = mail::decodeBase64Strict(mail::encodeBase64(*decoded));
		check(again && *again == *decoded);
		check(decoded->size() <= input.size());
	}

	const auto plain = mail::decodeSaslPlain(input);
	if (plain)
	{
		check(decoded.has_value());
		check(!plain->authcid.empty() && !plain->password.empty());
		check(plain->authzid.size() <= mail::kSaslFieldMax && plain->authcid.size() <= mail::kSaslFieldMax
			&& plain->password.size() <= mail::kSaslFieldMax);
		check(*decoded == plain->authzid + '\0' + plain->authcid + '\0' + plain->password);
	}

	const auto login = mail::decodeSaslLogin(input);
	if (login)
	{
		check(!login->empty() && login->size() <= mail::kSaslFieldMax);
		check(login->find_first_of(std::string("\0\r\n", 3)) == std::string::npos);
	}
	mail::isSaslCancel(input);
	return 0;
}
