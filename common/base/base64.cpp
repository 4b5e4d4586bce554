// base64.cpp - strict RFC 4648 base64, for SASL exchanges and stored password hashes.
#include "common/base/base64.h"


namespace mail {


namespace {


const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


int valueOf(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}


} // namespace


std::string encodeBase64(const std::string& data)
{
	std::string out;
	out.reserve((data.size() + 2) / 3 * 4);
	std::size_t i = 0;
	for (; i + 2 < data.size(); i += 3)
	{
		const unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8)
			| static_cast<unsigned char>(data[i + 2]);
		out += kAlphabet[(n >> 18) & 63];
		out += kAlphabet[(n >> 12) & 63];
		out += kAlphabet[(n >> 6) & 63];
		out += kAlphabet[n & 63];
	}
	const std::size_t rest = data.size() - i;
	if (rest > 0)
	{
		unsigned n = static_cast<unsigned char>(data[i]) << 16;
		if (rest == 2) n |= static_cast<unsigned char>(data[i + 1]) << 8;
		out += kAlphabet[(n >> 18) & 63];
		out += kAlphabet[(n >> 12) & 63];
		out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
		out += '=';
	}
	return out;
}


std::optional<std::string> decodeBase64Strict(const std::string& text)
{
	std::size_t length = text.size();
	std::size_t padding = 0;
	while (padding < 2 && length > 0 && text[length - 1] == '=')
	{
		--length;
		++padding;
	}
	// With padding the whole must be a multiple of 4; a lone 6-bit group never forms an octet.
	if ((padding > 0 && text.size() % 4 != 0) || length % 4 == 1) return std::nullopt;
	std::string out;
	out.reserve(length * 3 / 4);
	unsigned bits = 0;
	int count = 0;
	for (std::size_t i = 0; i < length; ++i)
	{
		const int v = valueOf(text[i]);
		if (v < 0) return std::nullopt;
		bits = (bits << 6) | static_cast<unsigned>(v);
		count += 6;
		if (count >= 8)
		{
			count -= 8;
			out += static_cast<char>((bits >> count) & 0xFF);
		}
	}
	// The unused low bits of the last group must be zero (RFC 4648 section 3.5).
	if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
	return out;
}


} // namespace mail
