// sasl.h - the SASL PLAIN (RFC 4616) and LOGIN responses, decoded; pure, no I/O.
//
// SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034) carry them base64-encoded; both
// sessions decode here, and the agent encodes its AUTH PLAIN here.
#pragma once

#include <optional>
#include <string>


namespace mail {


struct SaslPlain
{
	std::string authzid;  ///< who to act as; empty: the authcid itself
	std::string authcid;  ///< the login name
	std::string password; ///< the secret
};

/// RFC 4616: each field at most 255 octets.
constexpr std::size_t kSaslFieldMax = 255;

std::optional<SaslPlain> decodeSaslPlain(const std::string& response);
/// A base64 "authzid NUL authcid NUL passwd": exactly two NULs, authcid and passwd not
/// empty, each field at most kSaslFieldMax octets. nullopt on anything else.

std::optional<std::string> decodeSaslLogin(const std::string& response);
/// One step of LOGIN (the user name or the password): base64 of 1 to kSaslFieldMax
/// octets with no NUL, CR or LF. nullopt on anything else.

std::string encodeSaslPlain(const std::string& authcid, const std::string& password);
/// The client side: base64 of "NUL authcid NUL password".

bool isSaslCancel(const std::string& response);
/// "*": the client gives up the exchange (RFC 4954 section 4: answer 501).


} // namespace mail
