// icmp_packet_tests.cpp - echo request building, checksums, reply and error parsing.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "agent/icmp/icmp_packet.h"

#include <vector>


using namespace mail;


namespace {


/// A 20-byte IPv4 header (no options) carrying protocol 1 from source to destination.
std::vector<std::uint8_t> ipv4Header(std::uint32_t source, std::uint32_t destination, std::uint8_t ttl, std::size_t payload)
{
	std::size_t total = 20 + payload;
	std::vector<std::uint8_t> h = {0x45, 0, std::uint8_t(total >> 8), std::uint8_t(total & 0xff), 0, 0, 0, 0, ttl, 1, 0, 0,
		std::uint8_t(source >> 24), std::uint8_t(source >> 16), std::uint8_t(source >> 8), std::uint8_t(source),
		std::uint8_t(destination >> 24), std::uint8_t(destination >> 16), std::uint8_t(destination >> 8), std::uint8_t(destination)};
	std::uint16_t sum = internetChecksum(h.data(), h.size());
	h[10] = std::uint8_t(sum >> 8);
	h[11] = std::uint8_t(sum & 0xff);
	return h;
}


/// An ICMP error of type/code quoting the original datagram (IP header + 8 bytes).
std::vector<std::uint8_t> icmpError(std::uint8_t type, std::uint8_t code, const std::vector<std::uint8_t>& original)
{
	std::vector<std::uint8_t> m = {type, code, 0, 0, 0, 0, 0, 0};
	m.insert(m.end(), original.begin(), original.begin() + 28);
	std::uint16_t sum = internetChecksum(m.data(), m.size());
	m[2] = std::uint8_t(sum >> 8);
	m[3] = std::uint8_t(sum & 0xff);
	return m;
}


std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}


std::vector<std::uint8_t> asReply(std::vector<std::uint8_t> request)
{
	request[0] = IcmpTypeEchoReply;
	request[2] = request[3] = 0;
	std::uint16_t sum = internetChecksum(request.data(), request.size());
	request[2] = std::uint8_t(sum >> 8);
	request[3] = std::uint8_t(sum & 0xff);
	return request;
}


const std::uint32_t Client = 0x0afa0102; // 10.250.1.2
const std::uint32_t Router = 0x0afa0101; // 10.250.1.1
const std::uint32_t Target = 0x0afa0202; // 10.250.2.2


} // namespace


BOOST_AUTO_TEST_SUITE(icmp_packet_tests)


BOOST_AUTO_TEST_CASE(checksum_matches_rfc1071_examples)
{
	struct Row
	{
		std::vector<std::uint8_t> data;
		std::uint16_t expected;
	};
	const Row rows[] = {
		// RFC 1071 section 3 example: sum 0xddf2 -> checksum 0x220d
		{{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 0x220d},
		{{}, 0xffff},
		{{0xff, 0xff}, 0x0000},
		{{0x01}, 0xfeff}, // odd length: padded with a zero byte
		{{0x45, 0x00, 0x00, 0x73}, 0xba8c},
	};
	for (const auto& row: rows)
		BOOST_CHECK_MESSAGE(internetChecksum(row.data.data(), row.data.size()) == row.expected,
			"bytes " << row.data.size() << ": got " << std::hex << internetChecksum(row.data.data(), row.data.size()));
}


BOOST_AUTO_TEST_CASE(echo_request_has_type_id_sequence_payload_and_valid_checksum)
{
	auto packet = buildEchoRequest(0x1234, 0x0102, 56);
	BOOST_TEST(packet.size() == 64u);
	BOOST_TEST(packet[0] == 8);
	BOOST_TEST(packet[1] == 0);
	BOOST_TEST(packet[4] == 0x12);
	BOOST_TEST(packet[5] == 0x34);
	BOOST_TEST(packet[6] == 0x01);
	BOOST_TEST(packet[7] == 0x02);
	BOOST_TEST(packet[8] == 0x10);
	BOOST_TEST(internetChecksum(packet.data(), packet.size()) == 0);
	auto odd = buildEchoRequest(1, 1, 7);
	BOOST_TEST(internetChecksum(odd.data(), odd.size()) == 0);
}


BOOST_AUTO_TEST_CASE(echo_reply_with_ip_header_is_matched_by_id_and_sequence)
{
	auto reply = asReply(buildEchoRequest(0xbeef, 7, 56));
	auto datagram = concat(ipv4Header(Target, Client, 63, reply.size()), reply);
	auto message = parseIcmp(datagram.data(), datagram.size(), true);
	BOOST_REQUIRE(message);
	BOOST_TEST(toString(message->kind) == "echo-reply");
	BOOST_TEST(message->ttl == 63);
	BOOST_TEST(formatIpv4(message->source) == "10.250.2.2");
	BOOST_TEST(message->icmpLength == 64u);

	struct Row
	{
		std::uint16_t id;
		std::uint16_t sequence;
		bool checkId;
		bool expected;
	};
	const Row rows[] = {
		{0xbeef, 7, true, true},
		{0xbeef, 8, true, false}, // another probe's sequence
		{0xbeee, 7, true, false}, // another pinger's id
		{0xbeee, 7, false, true}, // datagram sockets: the kernel picked the id
	};
	for (const auto& row: rows)
		BOOST_CHECK_MESSAGE(message->answers(row.id, row.sequence, row.checkId) == row.expected,
			"id " << row.id << " seq " << row.sequence << " checkId " << row.checkId);
}


BOOST_AUTO_TEST_CASE(own_echo_request_seen_on_loopback_answers_nothing)
{
	auto request = buildEchoRequest(0xbeef, 7, 56);
	auto datagram = concat(ipv4Header(Client, Client, 64, request.size()), request);
	auto message = parseIcmp(datagram.data(), datagram.size(), true);
	BOOST_REQUIRE(message);
	BOOST_TEST(toString(message->kind) == "echo-request");
	BOOST_TEST(!message->answers(0xbeef, 7));
}


BOOST_AUTO_TEST_CASE(time_exceeded_carries_the_embedded_request_id_and_sequence)
{
	auto request = buildEchoRequest(0x4242, 3, 56);
	auto original = concat(ipv4Header(Client, Target, 1, request.size()), request);
	auto error = icmpError(IcmpTypeTimeExceeded, 0, original);
	auto datagram = concat(ipv4Header(Router, Client, 64, error.size()), error);
	auto message = parseIcmp(datagram.data(), datagram.size(), true);
	BOOST_REQUIRE(message);
	BOOST_TEST(toString(message->kind) == "time-exceeded");
	BOOST_TEST(message->hasEcho);
	BOOST_TEST(message->id == 0x4242);
	BOOST_TEST(message->sequence == 3);
	BOOST_TEST(formatIpv4(message->source) == "10.250.1.1");
	BOOST_TEST(formatIpv4(message->originalDestination) == "10.250.2.2");
	BOOST_TEST(message->answers(0x4242, 3));
	BOOST_TEST(!message->answers(0x4242, 4));
	BOOST_TEST(describeIcmpError(message->type, message->code) == "Time to live exceeded");
}


BOOST_AUTO_TEST_CASE(destination_unreachable_without_ip_header_is_parsed)
{
	auto request = buildEchoRequest(9, 11, 56);
	auto original = concat(ipv4Header(Client, Target, 64, request.size()), request);
	auto error = icmpError(IcmpTypeDestUnreachable, 1, original);
	auto message = parseIcmp(error.data(), error.size(), false);
	BOOST_REQUIRE(message);
	BOOST_TEST(toString(message->kind) == "destination-unreachable");
	BOOST_TEST(message->ttl == 0);
	BOOST_TEST(message->answers(9, 11));
	BOOST_TEST(describeIcmpError(3, 1) == "Destination host unreachable");
}


BOOST_AUTO_TEST_CASE(malformed_input_is_rejected)
{
	auto reply = asReply(buildEchoRequest(1, 1, 8));
	auto corrupt = reply;
	corrupt[9] ^= 0xff;
	auto notIcmp = concat(ipv4Header(Target, Client, 64, reply.size()), reply);
	notIcmp[9] = 17; // UDP
	auto badIhl = concat(ipv4Header(Target, Client, 64, reply.size()), reply);
	badIhl[0] = 0x4f; // 60-byte header claimed
	struct Row
	{
		const char* name;
		std::vector<std::uint8_t> data;
		bool withIp;
	};
	const Row rows[] = {
		{"empty", {}, false},
		{"short icmp", {0, 0, 0xff, 0xff}, false},
		{"bad checksum", corrupt, false},
		{"not icmp", notIcmp, true},
		{"bad ihl", badIhl, true},
		{"ipv6 version", {0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true},
	};
	for (const auto& row: rows)
		BOOST_CHECK_MESSAGE(!parseIcmp(row.data.data(), row.data.size(), row.withIp), row.name);
}


BOOST_AUTO_TEST_CASE(truncated_error_keeps_the_kind_but_matches_nothing)
{
	std::vector<std::uint8_t> error = {IcmpTypeTimeExceeded, 0, 0, 0, 0, 0, 0, 0};
	std::uint16_t sum = internetChecksum(error.data(), error.size());
	error[2] = std::uint8_t(sum >> 8);
	error[3] = std::uint8_t(sum);
	auto message = parseIcmp(error.data(), error.size(), false);
	BOOST_REQUIRE(message);
	BOOST_TEST(!message->hasEcho);
	BOOST_TEST(!message->answers(0, 0));
}


BOOST_AUTO_TEST_SUITE_END()
