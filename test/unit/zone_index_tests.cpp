// zone_index_tests.cpp - answers from a zone: each record type, NXDOMAIN/NODATA, errors, EDNS, size limits.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "dns/responder.h"
#include "dns/zone_index.h"

#include <string>
#include <vector>

using namespace mail::dns;
using Bytes = std::vector<std::uint8_t>;


namespace {


mail::Zone testZone()
{
	mail::Zone zone;
	zone.mx["gmail.com"] = {{10, "gmail-smtp-in.l.google.com"}};
	zone.mx["mail.sustech.edu.cn"] = {{5, "mxbiz1.qq.com"}, {10, "mxbiz2.qq.com"}};
	zone.p["smtp.gmail.com"] = 2025;
	zone.p["gmail-smtp-in.l.google.com"] = 2025;
	zone.p["far.example"] = 2525;
	zone.a["far.example"] = {0x0A000007};
	zone.a["bare.example"] = {0x0A000008, 0x0A000009};
	for (int i = 0; i < 20; ++i)
		zone.mx["big.example"].push_back({std::uint16_t(i), "exchanger-number-" + std::to_string(i) + ".big.example"});
	return zone;
}


const ZoneIndex& index()
{
	static const ZoneIndex zone(testZone());
	return zone;
}


Bytes ask(const Bytes& query)
{
	Bytes reply(MaxReplySize);
	reply.resize(answerQuery(index(), query.data(), query.size(), reply.data(), reply.size()));
	return reply;
}


Message askMessage(const std::string& name, std::uint16_t type, bool edns = true)
{
	const Bytes reply = ask(encodeQuery(0x4242, name, type, edns));
	BOOST_REQUIRE(!reply.empty());
	return decodeMessage(reply.data(), reply.size());
}


std::string withoutDot(const std::string& name)
{
	return (!name.empty() && name.back() == '.') ? name.substr(0, name.size() - 1) : name;
}


Bytes header(std::uint16_t qd, std::uint16_t flags = 0)
{
	return {0xAB, 0xCD, std::uint8_t(flags >> 8), std::uint8_t(flags), 0, std::uint8_t(qd), 0, 0, 0, 0, 0, 0};
}


} // namespace


BOOST_AUTO_TEST_SUITE(zone_index_tests)


BOOST_AUTO_TEST_CASE(answers_by_name_and_type)
{
	struct Row
	{
		std::string name;
		std::uint16_t type;
		Rcode rcode;
		std::vector<Bytes> rdata;
	};
	const Bytes gmailMx{0, 10, 13, 'g', 'm', 'a', 'i', 'l', '-', 's', 'm', 't', 'p', '-', 'i', 'n', 1, 'l', 6, 'g', 'o', 'o', 'g', 'l', 'e', 3, 'c', 'o', 'm', 0};
	const std::vector<Row> rows{
		{"gmail.com", TypeMx, RcodeNoError, {gmailMx}},
		{"GMail.COM.", TypeMx, RcodeNoError, {gmailMx}},
		{"smtp.gmail.com", TypeP, RcodeNoError, {{0x07, 0xE9}}},
		{"smtp.gmail.com", TypeA, RcodeNoError, {{127, 0, 0, 1}}}, // P without A: 127.0.0.1
		{"far.example", TypeA, RcodeNoError, {{10, 0, 0, 7}}},     // an A record wins
		{"far.example", TypeP, RcodeNoError, {{0x09, 0xDD}}},
		{"bare.example", TypeA, RcodeNoError, {{10, 0, 0, 8}, {10, 0, 0, 9}}},
		{"bare.example", TypeP, RcodeNoError, {}}, // NODATA
		{"gmail.com", TypeA, RcodeNoError, {}},    // MX only: no 127.0.0.1
		{"smtp.gmail.com", TypeMx, RcodeNoError, {}},
		{"smtp.gmail.com", 16, RcodeNoError, {}}, // TXT: known name
		{"nosuch.gmail.com", TypeMx, RcodeNxDomain, {}},
		{"com", TypeMx, RcodeNxDomain, {}},
		{"", TypeA, RcodeNxDomain, {}},
	};
	for (const auto& row: rows)
	{
		BOOST_TEST_CONTEXT(row.name << " type " << row.type)
		{
			const Message m = askMessage(row.name, row.type);
			BOOST_TEST(m.header.id == 0x4242);
			BOOST_TEST((m.header.flags & FlagQr) != 0);
			BOOST_TEST((m.header.flags & FlagAa) != 0);
			BOOST_TEST((m.header.flags & FlagRd) != 0);
			BOOST_TEST(m.header.rcode() == row.rcode);
			BOOST_REQUIRE(m.questions.size() == 1u);
			BOOST_TEST(m.questions[0].name == withoutDot(row.name));
			BOOST_REQUIRE(m.answers.size() == row.rdata.size());
			for (std::size_t i = 0; i < row.rdata.size(); ++i)
			{
				BOOST_TEST(m.answers[i].rdata == row.rdata[i]);
				BOOST_TEST(m.answers[i].type == row.type);
				BOOST_TEST(m.answers[i].name == m.questions[0].name); // owner points at the question
			}
		}
	}
}


BOOST_AUTO_TEST_CASE(mx_keeps_preference_order_and_owner_is_a_pointer)
{
	const Bytes reply = ask(encodeQuery(1, "mail.sustech.edu.cn", TypeMx, false));
	const std::size_t answerAt = HeaderSize + 21 + 4;
	BOOST_REQUIRE(reply.size() > answerAt + 2);
	BOOST_TEST(reply[answerAt] == 0xC0);
	BOOST_TEST(reply[answerAt + 1] == 0x0C);
	const Message m = decodeMessage(reply.data(), reply.size());
	BOOST_REQUIRE(m.answers.size() == 2u);
	BOOST_TEST(m.answers[0].rdata[1] == 5);
	BOOST_TEST(m.answers[1].rdata[1] == 10);
	BOOST_TEST(m.additional.empty()); // no OPT without EDNS in the query
}


BOOST_AUTO_TEST_CASE(any_returns_every_record)
{
	const Message m = askMessage("far.example", TypeAny);
	BOOST_REQUIRE(m.answers.size() == 2u);
	BOOST_TEST(m.answers[0].type == TypeA);
	BOOST_TEST(m.answers[1].type == TypeP);
}


BOOST_AUTO_TEST_CASE(edns_is_echoed_and_bad_version_refused)
{
	const Message m = askMessage("gmail.com", TypeMx, true);
	BOOST_REQUIRE(m.additional.size() == 1u);
	BOOST_TEST(m.additional[0].type == TypeOpt);
	BOOST_TEST(m.additional[0].klass == EdnsUdpSize);
	BOOST_TEST(m.additional[0].ttl == 0u);

	Bytes query = encodeQuery(2, "gmail.com", TypeMx, true);
	query[query.size() - 5] = 1; // OPT TTL: version 1
	const Bytes reply = ask(query);
	const Message bad = decodeMessage(reply.data(), reply.size());
	BOOST_TEST(bad.answers.empty());
	BOOST_REQUIRE(bad.additional.size() == 1u);
	BOOST_TEST((bad.additional[0].ttl >> 24) == 1u); // BADVERS = 16: upper bits 1
}


BOOST_AUTO_TEST_CASE(large_answers_fit_with_edns_and_set_tc_without)
{
	const Bytes plain = ask(encodeQuery(3, "big.example", TypeMx, false));
	BOOST_TEST(plain.size() <= MaxUdpSize);
	const Message cut = decodeMessage(plain.data(), plain.size());
	BOOST_TEST((cut.header.flags & FlagTc) != 0);
	BOOST_TEST(cut.answers.empty());

	const Bytes big = ask(encodeQuery(3, "big.example", TypeMx, true));
	BOOST_TEST(big.size() > MaxUdpSize);
	BOOST_TEST(big.size() <= EdnsUdpSize);
	const Message full = decodeMessage(big.data(), big.size());
	BOOST_TEST((full.header.flags & FlagTc) == 0);
	BOOST_TEST(full.answers.size() == 20u);
}


BOOST_AUTO_TEST_CASE(errors_and_silence)
{
	Bytes question{5, 'g', 'm', 'a', 'i', 'l', 3, 'c', 'o', 'm', 0, 0, 15, 0, 1};
	const auto with = [&question](Bytes h) { h.insert(h.end(), question.begin(), question.end()); return h; };
	Bytes twoOpts = encodeQuery(4, "gmail.com", TypeMx, true);
	const Bytes opt(twoOpts.end() - 11, twoOpts.end());
	twoOpts.insert(twoOpts.end(), opt.begin(), opt.end());
	twoOpts[11] = 2;
	Bytes chaos = encodeQuery(5, "gmail.com", TypeMx, false);
	chaos[chaos.size() - 1] = 3;

	struct Row
	{
		const char* what;
		Bytes query;
		int rcode;
		std::size_t length;
	};
	const std::vector<Row> rows{
		{"empty", {}, -1, 0},
		{"11 octets", Bytes(11, 0), -1, 0},
		{"QR set", with(header(1, FlagQr)), -1, 0},
		{"opcode STATUS", with(header(1, 2 << 11)), RcodeNotImp, HeaderSize},
		{"opcode NOTIFY", with(header(1, 4 << 11)), RcodeNotImp, HeaderSize},
		{"QDCOUNT 0", header(0), RcodeFormErr, HeaderSize},
		{"QDCOUNT 2", with(with(header(2))), RcodeFormErr, HeaderSize},
		{"header only", header(1), RcodeFormErr, HeaderSize},
		{"label past end", Bytes{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'a'}, RcodeFormErr, HeaderSize},
		{"pointer loop", Bytes{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xC0, 12, 0, 1, 0, 1}, RcodeFormErr, HeaderSize},
		{"forward pointer", Bytes{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 20, 0, 1, 0, 1, 0, 0}, RcodeFormErr, HeaderSize},
		{"no type", Bytes{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, RcodeFormErr, HeaderSize},
		{"ARCOUNT past end", [&] { Bytes q = with(header(1)); q[11] = 1; return q; }(), RcodeFormErr, HeaderSize},
		{"two OPT records", twoOpts, RcodeFormErr, HeaderSize},
		{"class CHAOS", chaos, RcodeRefused, chaos.size()},
		{"trailing garbage ignored", [&] { Bytes q = with(header(1)); q.push_back(0xFF); return q; }(), RcodeNoError, 0},
	};
	for (const auto& row: rows)
	{
		BOOST_TEST_CONTEXT(row.what)
		{
			const Bytes reply = ask(row.query);
			if (row.rcode < 0)
			{
				BOOST_TEST(reply.empty());
				continue;
			}
			BOOST_REQUIRE(reply.size() >= HeaderSize);
			if (row.length) BOOST_TEST(reply.size() == row.length);
			BOOST_TEST((reply[2] & 0x80) != 0);
			BOOST_TEST((reply[3] & 0x0F) == row.rcode);
			BOOST_TEST(reply[0] == row.query[0]);
			BOOST_TEST(reply[1] == row.query[1]);
			BOOST_TEST((reply[2] & 0x78) == (row.query[2] & 0x78)); // opcode copied
		}
	}
}


BOOST_AUTO_TEST_CASE(index_counts_names)
{
	BOOST_TEST(index().names() == 7u);
	const ZoneIndex empty{mail::Zone{}};
	BOOST_TEST(empty.names() == 0u);
}


BOOST_AUTO_TEST_SUITE_END()
