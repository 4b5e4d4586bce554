// tsig.h - TSIG (RFC 8945): HMAC signatures on DNS messages, for dynamic updates (RFC 2136).
//
// Both sides use it: mail-dns verifies an UPDATE and signs its reply, mail-server's
// registration signs its UPDATE and verifies the reply. The MAC covers the message as it
// is on the wire (before the TSIG record, ARCOUNT less one, the original ID) followed by
// the TSIG variables (RFC 8945 4.3.3); a reply's MAC is prefixed by the request's MAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>


namespace mail {
namespace dns {


enum TsigError : std::uint16_t
/// The TSIG record's error field (RFC 8945 3).
{
	TsigNoError = 0,
	TsigBadSig = 16,
	TsigBadKey = 17,
	TsigBadTime = 18
};


const std::uint16_t TsigFudge = 300; ///< seconds of clock difference allowed (RFC 8945 10)


struct TsigKey
{
	std::string name;      ///< lower-case, no trailing dot ("class-key")
	std::string algorithm; ///< lower-case, no trailing dot ("hmac-sha256")
	std::string secret;    ///< the raw key octets (decoded from base64)
};


bool isTsigAlgorithm(const std::string& algorithm);
/// hmac-sha256 (required by RFC 8945), hmac-sha384, hmac-sha512 and hmac-sha1 (what BIND offers).


enum class TsigStatus
{
	Unsigned, ///< no TSIG record: the caller decides (an UPDATE is refused)
	Ok,
	FormErr, ///< a TSIG record that is not the last one, or malformed
	BadKey,  ///< unknown key name or algorithm
	BadSig,  ///< the MAC does not match
	BadTime  ///< signed more than the fudge away from now
};

const char* toString(TsigStatus status);


struct TsigCheck
/// What verifyTsig() found; the fields after status are valid from FormErr on only if set.
{
	TsigStatus status = TsigStatus::Unsigned;
	std::string keyName;           ///< as in the record, lower-cased
	std::string algorithm;         ///< as in the record, lower-cased
	std::vector<std::uint8_t> mac; ///< the message's MAC: the reply's MAC covers it
	std::uint64_t timeSigned = 0;
	std::uint16_t originalId = 0;
	std::size_t unsignedLength = 0; ///< where the TSIG record starts
};


using TsigKeyFinder = std::function<const TsigKey*(const std::string& lowerName)>;


TsigCheck verifyTsig(const std::uint8_t* message, std::size_t size, const TsigKeyFinder& findKey,
	std::uint64_t now, const std::vector<std::uint8_t>& requestMac = {});
/// Finds and checks the TSIG record of message (the last additional record). For a reply,
/// requestMac is the MAC of the request it answers.

std::vector<std::uint8_t> withoutTsig(const std::uint8_t* message, const TsigCheck& check);
/// The message as its signer built it: up to the TSIG record, ARCOUNT one less (for
/// decodeMessage). check is verifyTsig's result for message with status Ok or BadTime.

std::vector<std::uint8_t> signTsig(std::vector<std::uint8_t>& message, const TsigKey& key, std::uint64_t now,
	const std::vector<std::uint8_t>& requestMac = {}, std::uint16_t error = TsigNoError);
/// Appends a TSIG record signed with key to an encoded message (ARCOUNT + 1) and returns its
/// MAC. For a reply, requestMac is the request's MAC and error its TSIG error.

void appendUnsignedTsig(std::vector<std::uint8_t>& message, const TsigCheck& request, std::uint16_t error);
/// The reply to a request whose key or MAC failed (RFC 8945 5.2): a TSIG record with the
/// request's key and algorithm names, error, and no MAC.


} // namespace dns
} // namespace mail
