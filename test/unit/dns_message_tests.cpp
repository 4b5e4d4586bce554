// dns_message_tests.cpp - the RFC 1035 codec: round trips, compression, each malformed case.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/dns/dns_message.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace mail::dns;
using Bytes = std::vector<std::uint8_t>;


namespace {


Bytes header(std::uint16_t qd, std::uint16_t an = 0, std::uint16_t flags = 0)
{
	return {0x12, 0x34, std::uint8_t(flags >> 8), std::uint8_t(flags), 0, std::uint8_t(qd), 0, std::uint8_t(an), 0, 0, 0, 0};
}


Bytes cat(Bytes a, const Bytes& b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}


Bytes label(const std::string& text)
{
	Bytes out(text.size() + 1);
	out[0] = std::uint8_t(text.size());
	std::copy(text.begin(), text.end(), out.begin() + 1);
	return out;
}


const Bytes TypeClassA{0, 1, 0, 1};


ResourceRecord record(const std::string& name, std::uint16_t type, Bytes rdata)
{
	ResourceRecord rr;
	rr.name = name;
	rr.type = type;
	rr.ttl = 60;
	rr.rdata = std::move(rdata);
	return rr;
}


Bytes mxRdata(std::uint16_t preference, const std::string& host)
{
	WireName wire;
	BOOST_REQUIRE(encodeName(host, wire));
	Bytes out(wire.length + 2);
	out[0] = std::uint8_t(preference >> 8);
	out[1] = std::uint8_t(preference);
	std::copy(wire.bytes, wire.bytes + wire.length, out.begin() + 2);
	return out;
}


} // namespace


BOOST_AUTO_TEST_SUITE(dns_message_tests)


BOOST_AUTO_TEST_CASE(query_round_trip_with_edns)
{
	const Bytes query = encodeQuery(0xBEEF, "Gmail.COM", TypeMx, true);
	const Message m = decodeMessage(query.data(), query.size());
	BOOST_TEST(m.header.id == 0xBEEF);
	BOOST_TEST(m.header.flags == FlagRd);
	BOOST_REQUIRE(m.questions.size() == 1u);
	BOOST_TEST(m.questions[0].name == "Gmail.COM");
	BOOST_TEST(m.questions[0].type == TypeMx);
	BOOST_TEST(m.questions[0].klass == ClassIn);
	BOOST_REQUIRE(m.additional.size() == 1u);
	BOOST_TEST(m.additional[0].type == TypeOpt);
	BOOST_TEST(m.additional[0].name == "");
	BOOST_TEST(m.additional[0].klass == EdnsUdpSize);
}


BOOST_AUTO_TEST_CASE(answer_round_trip_compresses_names)
{
	Message m;
	m.header.id = 7;
	m.header.flags = FlagQr | FlagAa;
	m.questions.push_back(Question{"mail.sustech.edu.cn", TypeMx, ClassIn});
	m.answers.push_back(record("mail.sustech.edu.cn", TypeMx, mxRdata(10, "mxbiz1.qq.com")));
	m.answers.push_back(record("mail.sustech.edu.cn", TypeMx, mxRdata(20, "mx2.mail.sustech.edu.cn")));
	m.answers.push_back(record("smtp.gmail.com", TypeP, {0x07, 0xE9}));
	m.answers.push_back(record("smtp.gmail.com", TypeA, {127, 0, 0, 1}));
	const Bytes wire = encodeMessage(m);

	// Second owner is a pointer to the question name; mx2's suffix is a pointer too.
	const std::size_t questionEnd = HeaderSize + 21 + 4;
	BOOST_TEST(wire[questionEnd] == 0xC0);
	BOOST_TEST(wire[questionEnd + 1] == 0x0C);
	BOOST_TEST(wire.size() < 140u);

	const Message back = decodeMessage(wire.data(), wire.size());
	BOOST_REQUIRE(back.answers.size() == 4u);
	for (std::size_t i = 0; i < 4; ++i)
	{
		BOOST_TEST(back.answers[i].name == m.answers[i].name);
		BOOST_TEST(back.answers[i].type == m.answers[i].type);
		BOOST_TEST(back.answers[i].ttl == 60u);
		BOOST_TEST(back.answers[i].rdata == m.answers[i].rdata);
	}
	BOOST_TEST(encodeMessage(back) == wire);
}


BOOST_AUTO_TEST_CASE(compression_keeps_case)
{
	// Found by the fuzzer: compressing "A.example" onto "a.example" would change its case.
	Message m;
	m.questions.push_back(Question{"a.example", TypeA, ClassIn});
	m.questions.push_back(Question{"A.example", TypeA, ClassIn});
	const Bytes wire = encodeMessage(m);
	const Message back = decodeMessage(wire.data(), wire.size());
	BOOST_TEST(back.questions[1].name == "A.example");
}


BOOST_AUTO_TEST_CASE(encode_name_limits)
{
	struct Row
	{
		std::string name;
		bool ok;
		std::size_t length;
	};
	const std::vector<Row> rows{
		{"", true, 1},
		{".", true, 1},
		{"gmail.com", true, 11},
		{"gmail.com.", true, 11},
		{"a..b", false, 0},
		{"a..", false, 0},
		{".a", false, 0},
		{std::string(63, 'x'), true, 65},
		{"a\\.b.c", true, 7},       // escaped dot inside a label
		{"a\\046b.c\\\\", true, 8}, // \DDD and an escaped backslash
		{"a\\", false, 0},
		{"a\\25", false, 0},
		{"a\\256", false, 0},
		{std::string(64, 'x'), false, 0},
		{std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(61, 'd'), true, 255},
		{std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(62, 'd'), false, 0},
	};
	for (const auto& row: rows)
	{
		WireName wire;
		BOOST_TEST_CONTEXT("name " << row.name)
		{
			BOOST_TEST(encodeName(row.name, wire) == row.ok);
			if (row.ok) BOOST_TEST(wire.length == row.length);
		}
	}
}


BOOST_AUTO_TEST_CASE(odd_label_octets_round_trip_through_dotted_form)
{
	// Found by the fuzzer: a label holding '.' must not become two labels.
	const Bytes wire{5, 'a', '.', 'b', '\\', 0xA1, 3, 'c', 'o', 'm', 0};
	WireName name;
	WireReader reader(wire.data(), wire.size());
	BOOST_REQUIRE(reader.name(name));
	const std::string dotted = name.toDotted();
	BOOST_TEST(dotted == "a\\.b\\\\\\161.com");
	WireName again;
	BOOST_REQUIRE(encodeName(dotted, again));
	BOOST_TEST(Bytes(again.bytes, again.bytes + again.length) == wire);
}


BOOST_AUTO_TEST_CASE(malformed_messages_have_typed_errors)
{
	std::vector<Bytes> longName;
	Bytes tooLong;
	for (int i = 0; i < 5; ++i) tooLong = cat(tooLong, label(std::string(60, 'x')));
	tooLong.push_back(0);

	struct Row
	{
		const char* what;
		Bytes bytes;
		WireError error;
	};
	const std::vector<Row> rows{
		{"empty", {}, WireError::Truncated},
		{"truncated header", {0x12, 0x34, 0, 0, 0}, WireError::Truncated},
		{"question missing", header(1), WireError::Truncated},
		{"label past end", cat(header(1), {5, 'a', 'b'}), WireError::Truncated},
		{"no final label", cat(header(1), label("abc")), WireError::Truncated},
		{"type and class missing", cat(header(1), {3, 'a', 'b', 'c', 0, 0}), WireError::Truncated},
		{"self pointer", cat(header(1), {0xC0, 0x0C}), WireError::ForwardPointer},
		{"forward pointer", cat(cat(header(1), {0xC0, 0x10}), cat(label("abc"), {0})), WireError::ForwardPointer},
		{"pointer loop", cat(header(1), {3, 'a', 'b', 'c', 0xC0, 0x0C}), WireError::PointerLoop},
		{"half pointer", cat(header(1), {0xC0}), WireError::Truncated},
		{"label type 0x40", cat(header(1), {0x41, 'a', 0}), WireError::BadLabelType},
		{"label type 0x80", cat(header(1), {0x81, 'a', 0}), WireError::BadLabelType},
		{"name > 255", cat(cat(header(1), tooLong), TypeClassA), WireError::NameTooLong},
		{"qdcount 2, one question", cat(cat(header(2), {0}), TypeClassA), WireError::Truncated},
		{"answer rdata past end", cat(cat(header(0, 1), {0}), {0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127}), WireError::Truncated},
		{"A rdata of 3", cat(cat(header(0, 1), {0}), {0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3}), WireError::BadRdata},
		{"P rdata of 1", cat(cat(header(0, 1), {0}), {0xFF, 0, 0, 1, 0, 0, 0, 60, 0, 1, 1}), WireError::BadRdata},
		{"MX exchange past rdata", cat(cat(header(0, 1), {0}), {0, 15, 0, 1, 0, 0, 0, 60, 0, 4, 0, 10, 3, 'a'}), WireError::BadRdata},
		{"MX rdata longer than name", cat(cat(header(0, 1), {0}), {0, 15, 0, 1, 0, 0, 0, 60, 0, 4, 0, 10, 0, 0}), WireError::BadRdata},
	};
	for (const auto& row: rows)
	{
		BOOST_TEST_CONTEXT(row.what)
		{
			bool thrown = false;
			try
			{
				decodeMessage(row.bytes.data(), row.bytes.size());
			}
			catch (const WireFormatError& e)
			{
				thrown = true;
				BOOST_TEST(toString(e.error()) == toString(row.error));
			}
			BOOST_TEST(thrown);
		}
	}
}


BOOST_AUTO_TEST_CASE(pointer_chain_longer_than_limit_is_a_loop)
{
	// Every pointer points 2 octets back, so each jump is legal but there are too many.
	Bytes chain{0};
	for (unsigned i = 0; i <= MaxPointerJumps + 1; ++i)
	{
		const std::size_t target = chain.size() == 1 ? 0 : chain.size() - 2;
		chain.push_back(std::uint8_t(0xC0 | (target >> 8)));
		chain.push_back(std::uint8_t(target));
	}
	WireName name;
	WireReader reader(chain.data(), chain.size(), chain.size() - 2);
	BOOST_TEST(!reader.name(name));
	BOOST_TEST(toString(reader.error()) == toString(WireError::PointerLoop));

	WireReader shortChain(chain.data(), chain.size(), 2 * (MaxPointerJumps - 1) + 1);
	BOOST_TEST(shortChain.name(name));
	BOOST_TEST(name.length == 1u);
}


BOOST_AUTO_TEST_CASE(oversized_message_is_refused)
{
	Message m;
	for (int i = 0; i < 300; ++i) m.answers.push_back(record("x", 16, Bytes(250, 'y')));
	bool thrown = false;
	try
	{
		encodeMessage(m);
	}
	catch (const WireFormatError& e)
	{
		thrown = e.error() == WireError::TooLarge;
	}
	BOOST_TEST(thrown);
}


BOOST_AUTO_TEST_CASE(equal_names_ignore_case_and_trailing_dot)
{
	BOOST_TEST(equalNames("Gmail.COM.", "gmail.com"));
	BOOST_TEST(!equalNames("gmail.com", "gmail.co"));
	BOOST_TEST(!equalNames("gmail.com", "gmail.com.."));
}


BOOST_AUTO_TEST_SUITE_END()
