// sasl.cpp - the SASL PLAIN (RFC 4616) and LOGIN responses, decoded; pure, no I/O.
#include "server/auth/sasl.h"

#include "common/base/base64.h"


namespace mail {


std::optional<SaslPlain> decodeSaslPlain(const std::string& response)
{
	const auto decoded = decodeBase64Strict(response);
	if (!decoded) return std::nullopt;
	const std::size_t first = decoded->find('\0');
	if (first == std::string::npos) return std::nullopt;
	const std::size_t second = decoded->find('\0', first + 1);
	if (second == std::string::npos || decoded->find('\0', second + 1) != std::string::npos) return std::nullopt;
	SaslPlain out;
	out.authzid = decoded->substr(0, first);
	out.authcid = decoded->substr(first + 1, second - first - 1);
	out.password = decoded->substr(second + 1);
	if (out.authcid.empty() || out.password.empty()) return std::nullopt;
	if (out.authzid.size() > kSaslFieldMax || out.authcid.size() > kSaslFieldMax || out.password.size() > kSaslFieldMax)
		return std::nullopt;
	return out;
}


std::optional<std::string> decodeSaslLogin(const std::string& response)
{
	auto decoded = decodeBase64Strict(response);
	if (!decoded || decoded->empty() || decoded->size() > kSaslFieldMax) return std::nullopt;
	if (decoded->find_first_of(std::string("\0\r\n", 3)) != std::string::npos) return std::nullopt;
	return decoded;
}


std::string encodeSaslPlain(const std::string& authcid, const std::string& password)
{
	return encodeBase64(std::string(1, '\0') + authcid + std::string(1, '\0') + password);
}


bool isSaslCancel(const std::string& response)
{
	return response == "*";
}


} // namespace mail
