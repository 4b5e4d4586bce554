// dns_message_fuzz.cpp - libFuzzer target: DNS decode, re-encode, and the daemon's answer path.
//
// Any input must decode or throw WireFormatError; whatever decodes must re-encode and
// decode again to the same questions; and answerQuery() must never read or write out of
// bounds, must stay within its size limits and must echo the ID.
#include "common/dns/dns_message.h"
#include "dns/responder.h"
#include "dns/zone_index.h"

#include <cstdlib>
#include <cstring>


namespace {


const mail::dns::ZoneIndex& fixedZone()
{
	static const mail::dns::ZoneIndex zone([] {
		mail::Zone z;
		z.mx["gmail.com"] = {{10, "gmail-smtp-in.l.google.com"}};
		z.mx["mail.sustech.edu.cn"] = {{5, "mxbiz1.qq.com"}, {10, "mxbiz2.qq.com"}};
		z.p["smtp.gmail.com"] = 2025;
		z.p["mxbiz1.qq.com"] = 1025;
		z.a["far.example"] = {0x0A000007};
		for (int i = 0; i < 30; ++i) z.mx["big.example"].push_back({std::uint16_t(i), "mx" + std::to_string(i) + ".big.example"});
		return z;
	}());
	return zone;
}


void check(bool condition)
{
	if (!condition) std::abort();
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	using namespace mail::dns;
	try
	{
		const Message message = decodeMessage(data, size);
		const std::vector<std::uint8_t> wire = encodeMessage(message);
		const Message again = decodeMessage(wire.data(), wire.size());
		check(again.questions.size() == message.questions.size());
		for (std::size_t i = 0; i < message.questions.size(); ++i)
			check(again.questions[i].name == message.questions[i].name && again.questions[i].type == message.questions[i].type);
		check(again.answers.size() == message.answers.size());
	}
	catch (const WireFormatError&)
	{
	}

	std::uint8_t reply[MaxReplySize];
	const std::size_t length = answerQuery(fixedZone(), data, size, reply, sizeof reply);
	check(length <= MaxReplySize);
	if (length > 0)
	{
		check(length >= HeaderSize && size >= HeaderSize);
		check(reply[0] == data[0] && reply[1] == data[1] && (reply[2] & 0x80));
		const bool edns = reply[11] != 0;
		check(edns || length <= MaxUdpSize);
		const Message parsed = decodeMessage(reply, length); // our replies always decode
		check(parsed.questions.size() <= 1);
	}
	return 0;
}
