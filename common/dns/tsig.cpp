// tsig.cpp - TSIG (RFC 8945) signing and verification with OpenSSL's HMAC.
#include "common/dns/tsig.h"

#include "common/dns/dns_message.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>


namespace mail {
namespace dns {


namespace {


const EVP_MD* digestOf(const std::string& algorithm)
{
	if (algorithm == "hmac-sha256") return EVP_sha256();
	if (algorithm == "hmac-sha384") return EVP_sha384();
	if (algorithm == "hmac-sha512") return EVP_sha512();
	if (algorithm == "hmac-sha1") return EVP_sha1();
	return nullptr;
}


void put16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
	out.push_back(static_cast<std::uint8_t>(v >> 8));
	out.push_back(static_cast<std::uint8_t>(v));
}


void put48(std::vector<std::uint8_t>& out, std::uint64_t v)
{
	for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}


void putName(std::vector<std::uint8_t>& out, const std::string& dotted)
/// Canonical form (RFC 4034 6.2): uncompressed, lower case.
{
	WireName wire;
	if (!encodeName(dotted, wire)) throw WireFormatError(WireError::NameTooLong, out.size());
	wire.toLower();
	out.insert(out.end(), wire.bytes, wire.bytes + wire.length);
}


struct Variables
/// The TSIG fields the MAC covers after the message (RFC 8945 4.3.3).
{
	std::string keyName;
	std::string algorithm;
	std::uint64_t timeSigned = 0;
	std::uint16_t fudge = TsigFudge;
	std::uint16_t error = TsigNoError;
	std::vector<std::uint8_t> other;
};


std::vector<std::uint8_t> computeMac(const TsigKey& key, const std::vector<std::uint8_t>& requestMac,
	const std::uint8_t* message, std::size_t length, std::uint16_t originalId, bool dropTsig, const Variables& v)
{
	std::vector<std::uint8_t> input;
	input.reserve(length + requestMac.size() + 64);
	if (!requestMac.empty())
	{
		put16(input, static_cast<std::uint16_t>(requestMac.size()));
		input.insert(input.end(), requestMac.begin(), requestMac.end());
	}
	const std::size_t at = input.size();
	input.insert(input.end(), message, message + length);
	input[at] = static_cast<std::uint8_t>(originalId >> 8);
	input[at + 1] = static_cast<std::uint8_t>(originalId);
	if (dropTsig) // the message as it was before the TSIG record was added
	{
		const std::uint16_t arCount = static_cast<std::uint16_t>(((input[at + 10] << 8) | input[at + 11]) - 1);
		input[at + 10] = static_cast<std::uint8_t>(arCount >> 8);
		input[at + 11] = static_cast<std::uint8_t>(arCount);
	}
	putName(input, v.keyName);
	put16(input, ClassAny);
	put16(input, 0); // TTL, 32 bits
	put16(input, 0);
	putName(input, v.algorithm);
	put48(input, v.timeSigned);
	put16(input, v.fudge);
	put16(input, v.error);
	put16(input, static_cast<std::uint16_t>(v.other.size()));
	input.insert(input.end(), v.other.begin(), v.other.end());

	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int macLength = 0;
	HMAC(digestOf(key.algorithm), key.secret.data(), static_cast<int>(key.secret.size()), input.data(), input.size(), mac,
		&macLength);
	return std::vector<std::uint8_t>(mac, mac + macLength);
}


void appendRecord(std::vector<std::uint8_t>& message, const Variables& v, const std::vector<std::uint8_t>& mac,
	std::uint16_t originalId)
{
	putName(message, v.keyName);
	put16(message, TypeTsig);
	put16(message, ClassAny);
	put16(message, 0);
	put16(message, 0);
	std::vector<std::uint8_t> rdata;
	putName(rdata, v.algorithm);
	put48(rdata, v.timeSigned);
	put16(rdata, v.fudge);
	put16(rdata, static_cast<std::uint16_t>(mac.size()));
	rdata.insert(rdata.end(), mac.begin(), mac.end());
	put16(rdata, originalId);
	put16(rdata, v.error);
	put16(rdata, static_cast<std::uint16_t>(v.other.size()));
	rdata.insert(rdata.end(), v.other.begin(), v.other.end());
	put16(message, static_cast<std::uint16_t>(rdata.size()));
	message.insert(message.end(), rdata.begin(), rdata.end());
	const std::uint16_t arCount = static_cast<std::uint16_t>(((message[10] << 8) | message[11]) + 1);
	message[10] = static_cast<std::uint8_t>(arCount >> 8);
	message[11] = static_cast<std::uint8_t>(arCount);
}


std::string lowerDotted(WireName name)
{
	name.toLower();
	return name.toDotted();
}


} // namespace


bool isTsigAlgorithm(const std::string& algorithm)
{
	return digestOf(algorithm) != nullptr;
}


const char* toString(TsigStatus status)
{
	switch (status)
	{
	case TsigStatus::Unsigned: return "unsigned";
	case TsigStatus::Ok: return "ok";
	case TsigStatus::FormErr: return "malformed";
	case TsigStatus::BadKey: return "badkey";
	case TsigStatus::BadSig: return "badsig";
	case TsigStatus::BadTime: return "badtime";
	}
	return "?";
}


TsigCheck verifyTsig(const std::uint8_t* message, std::size_t size, const TsigKeyFinder& findKey, std::uint64_t now,
	const std::vector<std::uint8_t>& requestMac)
{
	TsigCheck check;
	WireReader reader(message, size);
	Header header;
	if (!reader.header(header)) return check.status = TsigStatus::FormErr, check;
	for (unsigned i = 0; i < header.qdCount; ++i)
	{
		WireName name;
		if (!reader.name(name) || !reader.skip(4)) return check.status = TsigStatus::FormErr, check;
	}
	const unsigned records = unsigned(header.anCount) + header.nsCount + header.arCount;
	std::uint16_t type = 0, klass = 0, rdLength = 0;
	std::uint32_t ttl = 0;
	for (unsigned i = 0; i < records; ++i)
	{
		const std::size_t start = reader.offset();
		WireName owner;
		if (!reader.name(owner) || !reader.u16(type) || !reader.u16(klass) || !reader.u32(ttl) || !reader.u16(rdLength))
			return check.status = TsigStatus::FormErr, check;
		const std::size_t rdataStart = reader.offset();
		if (!reader.skip(rdLength)) return check.status = TsigStatus::FormErr, check;
		if (type != TypeTsig) continue;
		if (i + 1 != records || klass != ClassAny) return check.status = TsigStatus::FormErr, check; // RFC 8945 5.1: last
		check.unsignedLength = start;
		check.keyName = lowerDotted(owner);
		WireReader rdata(message, rdataStart + rdLength, rdataStart);
		WireName algorithm;
		std::uint16_t high = 0, fudge = 0, macSize = 0, error = 0, otherLength = 0;
		std::uint32_t low = 0;
		if (!rdata.name(algorithm) || !rdata.u16(high) || !rdata.u32(low) || !rdata.u16(fudge) || !rdata.u16(macSize))
			return check.status = TsigStatus::FormErr, check;
		check.algorithm = lowerDotted(algorithm);
		check.timeSigned = (std::uint64_t(high) << 32) | low;
		const std::size_t macAt = rdata.offset();
		if (!rdata.skip(macSize) || !rdata.u16(check.originalId) || !rdata.u16(error) || !rdata.u16(otherLength))
			return check.status = TsigStatus::FormErr, check;
		const std::size_t otherAt = rdata.offset();
		if (!rdata.skip(otherLength) || rdata.offset() != rdataStart + rdLength)
			return check.status = TsigStatus::FormErr, check;
		check.mac.assign(message + macAt, message + macAt + macSize);

		const TsigKey* key = findKey(check.keyName);
		if (key == nullptr || key->algorithm != check.algorithm || !isTsigAlgorithm(key->algorithm))
			return check.status = TsigStatus::BadKey, check;
		Variables v;
		v.keyName = check.keyName;
		v.algorithm = check.algorithm;
		v.timeSigned = check.timeSigned;
		v.fudge = fudge;
		v.error = error;
		v.other.assign(message + otherAt, message + otherAt + otherLength);
		const std::vector<std::uint8_t> expected =
			computeMac(*key, requestMac, message, start, check.originalId, true, v);
		if (expected.size() != check.mac.size() || CRYPTO_memcmp(expected.data(), check.mac.data(), expected.size()) != 0)
			return check.status = TsigStatus::BadSig, check;
		const std::uint64_t skew = now > check.timeSigned ? now - check.timeSigned : check.timeSigned - now;
		check.status = skew > fudge ? TsigStatus::BadTime : TsigStatus::Ok;
		return check;
	}
	return check; // Unsigned
}


std::vector<std::uint8_t> withoutTsig(const std::uint8_t* message, const TsigCheck& check)
{
	std::vector<std::uint8_t> out(message, message + check.unsignedLength);
	const std::uint16_t arCount = static_cast<std::uint16_t>(((out[10] << 8) | out[11]) - 1);
	out[10] = static_cast<std::uint8_t>(arCount >> 8);
	out[11] = static_cast<std::uint8_t>(arCount);
	return out;
}


std::vector<std::uint8_t> signTsig(std::vector<std::uint8_t>& message, const TsigKey& key, std::uint64_t now,
	const std::vector<std::uint8_t>& requestMac, std::uint16_t error)
{
	if (message.size() < HeaderSize || !isTsigAlgorithm(key.algorithm))
		throw WireFormatError(WireError::Truncated, message.size());
	Variables v;
	v.keyName = key.name;
	v.algorithm = key.algorithm;
	v.timeSigned = now;
	v.error = error;
	if (error == TsigBadTime) put48(v.other, now); // RFC 8945 5.2.3: the server's time
	const std::uint16_t id = static_cast<std::uint16_t>((message[0] << 8) | message[1]);
	std::vector<std::uint8_t> mac = computeMac(key, requestMac, message.data(), message.size(), id, false, v);
	appendRecord(message, v, mac, id);
	return mac;
}


void appendUnsignedTsig(std::vector<std::uint8_t>& message, const TsigCheck& request, std::uint16_t error)
{
	Variables v;
	v.keyName = request.keyName;
	v.algorithm = request.algorithm;
	v.timeSigned = request.timeSigned;
	v.error = error;
	appendRecord(message, v, {}, request.originalId);
}


} // namespace dns
} // namespace mail
