// tsig_tests.cpp - TSIG (RFC 8945) against a message nsupdate signed, and our own round trips.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/base/base64.h"
#include "common/dns/dns_update.h"
#include "common/dns/tsig.h"

#include <map>

using namespace mail::dns;


namespace {


/// `nsupdate -y hmac-sha256:class-key:c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA==` (BIND 9.18)
/// sending "zone class.test / update add alice.class.test 60 MX 10 mail.alice.class.test /
/// update delete old.class.test A", captured on a UDP socket.
const char* const NsupdateHex =
	"c6e52800000100000002000105636c6173730474657374000006000105616c696365c00c000f00010000003c0009000a046d61"
	"696cc01c036f6c64c00c000100ff00000000000009636c6173732d6b65790000fa00ff00000000003d0b686d61632d736861"
	"3235360000006b144a25012c0020291e08aeb06ffd91497c538e535ca495e9d99b2e0f492b6f7aeb841a901010d9c6e5000000"
	"00";
const std::uint64_t NsupdateTime = 0x6b144a25;


std::vector<std::uint8_t> fromHex(const std::string& hex)
{
	std::vector<std::uint8_t> out;
	for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
	return out;
}


TsigKey classKey(const std::string& secretBase64 = "c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA==")
{
	return TsigKey{"class-key", "hmac-sha256", *mail::decodeBase64Strict(secretBase64)};
}


struct Keys
{
	std::map<std::string, TsigKey> byName;
	TsigKeyFinder finder() const
	{
		return [this](const std::string& name) -> const TsigKey* {
			const auto it = byName.find(name);
			return it == byName.end() ? nullptr : &it->second;
		};
	}
};


} // namespace


BOOST_AUTO_TEST_SUITE(tsig_tests)


BOOST_AUTO_TEST_CASE(verifies_what_nsupdate_signed)
{
	const auto wire = fromHex(NsupdateHex);
	Keys keys;
	keys.byName["class-key"] = classKey();
	const TsigCheck check = verifyTsig(wire.data(), wire.size(), keys.finder(), NsupdateTime + 10);
	BOOST_TEST(toString(check.status) == "ok");
	BOOST_TEST(check.keyName == "class-key");
	BOOST_TEST(check.algorithm == "hmac-sha256");
	BOOST_TEST(check.mac.size() == 32u);

	const auto unsignedMessage = withoutTsig(wire.data(), check);
	const Message update = decodeMessage(unsignedMessage.data(), unsignedMessage.size());
	BOOST_TEST(update.header.opcode() == OpcodeUpdate);
	BOOST_REQUIRE(update.authority.size() == 2u);
	BOOST_TEST(update.authority[0].klass == ClassIn);
	BOOST_TEST((update.authority[0].rdata == rdataMx(10, "mail.alice.class.test")));
	BOOST_TEST(update.authority[1].klass == ClassAny);
	BOOST_TEST(update.authority[1].rdata.empty());
}


BOOST_AUTO_TEST_CASE(refuses_what_does_not_match)
{
	const auto wire = fromHex(NsupdateHex);
	const struct
	{
		const char* what;
		const char* secret;
		const char* keyName;
		std::uint64_t now;
		std::size_t flip; ///< 0: none
		TsigStatus want;
	} rows[] = {
		{"other secret", "b3RoZXItc2VjcmV0LW9mLXRoZS1zYW1lLWxlbmd0aA==", "class-key", NsupdateTime, 0, TsigStatus::BadSig},
		{"unknown key", "c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA==", "other-key", NsupdateTime, 0, TsigStatus::BadKey},
		{"too late", "c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA==", "class-key", NsupdateTime + TsigFudge + 1, 0, TsigStatus::BadTime},
		{"changed TTL", "c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA==", "class-key", NsupdateTime, 42, TsigStatus::BadSig},
	};
	for (const auto& row: rows)
	{
		auto copy = wire;
		if (row.flip) copy[row.flip] ^= 1;
		Keys keys;
		TsigKey key = classKey(row.secret);
		key.name = row.keyName;
		keys.byName[row.keyName] = key;
		const TsigCheck check = verifyTsig(copy.data(), copy.size(), keys.finder(), row.now);
		BOOST_CHECK_MESSAGE(check.status == row.want, row.what << ": got " << toString(check.status));
	}
}


BOOST_AUTO_TEST_CASE(an_unsigned_message_is_reported_unsigned)
{
	Message update = updateMessage(7, "class.test");
	update.authority.push_back(deleteRrset("bob.class.test", TypeAny));
	const auto wire = encodeMessage(update);
	Keys keys;
	BOOST_TEST(toString(verifyTsig(wire.data(), wire.size(), keys.finder(), 0).status) == "unsigned");
}


BOOST_AUTO_TEST_CASE(signs_a_request_and_its_reply)
{
	Keys keys;
	keys.byName["class-key"] = classKey();
	Message update = updateMessage(0x1234, "class.test");
	update.authority.push_back(addRecord("bob.class.test", TypeSrv, 60, rdataSrv(0, 1, 2525, "mail.bob.class.test")));
	auto request = encodeMessage(update);
	const auto requestMac = signTsig(request, keys.byName["class-key"], 1000);
	const TsigCheck check = verifyTsig(request.data(), request.size(), keys.finder(), 1001);
	BOOST_TEST(toString(check.status) == "ok");
	BOOST_TEST((check.mac == requestMac));

	Message answer = updateMessage(0x1234, "class.test");
	answer.header.flags |= FlagQr;
	auto reply = encodeMessage(answer);
	signTsig(reply, keys.byName["class-key"], 1002, requestMac);
	BOOST_TEST(toString(verifyTsig(reply.data(), reply.size(), keys.finder(), 1002, requestMac).status) == "ok");
	// A reply is bound to its request: another request's MAC does not verify it.
	auto otherMac = requestMac;
	otherMac[0] ^= 1;
	BOOST_TEST(toString(verifyTsig(reply.data(), reply.size(), keys.finder(), 1002, otherMac).status) == "badsig");
}


BOOST_AUTO_TEST_SUITE_END()
