// zone_update_tests.cpp - applyUpdate (RFC 2136 on the zone mail-dns serves) and zoneText,
// the zone file it writes back.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/dns/dns_update.h"
#include "common/config/zone.h"
#include "dns/responder.h"
#include "dns/zone_export.h"
#include "dns/zone_index.h"
#include "dns/zone_update.h"
#include "test/unit/fixtures.h"

using namespace mail::dns;
using mail::Zone;


namespace {


Message update(std::vector<ResourceRecord> changes, std::vector<ResourceRecord> prerequisites = {})
{
	Message message = updateMessage(1, "class.test");
	message.authority = std::move(changes);
	message.answers = std::move(prerequisites);
	return message;
}


Zone registered()
/// alice registered as a provider does it.
{
	Zone zone;
	const UpdateResult result = applyUpdate(zone, "class.test",
		update({addRecord("alice.class.test", TypeMx, 60, rdataMx(10, "mail.alice.class.test")),
			addRecord("mail.alice.class.test", TypeA, 60, rdataA(0x7F000002)),
			addRecord("mail.alice.class.test", TypeP, 60, rdataPort(2525)),
			addRecord("_submission._tcp.alice.class.test", TypeSrv, 60, rdataSrv(0, 1, 2525, "mail.alice.class.test"))}));
	BOOST_TEST(result.rcode == RcodeNoError);
	BOOST_TEST(result.changes == 4u);
	return zone;
}


} // namespace


BOOST_AUTO_TEST_SUITE(zone_update_tests)


BOOST_AUTO_TEST_CASE(adds_every_served_type_and_writes_a_file_that_loads_back)
{
	const Zone zone = registered();
	BOOST_TEST(zone.mx.at("alice.class.test").at(0).host == "mail.alice.class.test");
	BOOST_TEST(zone.a.at("mail.alice.class.test").at(0) == 0x7F000002u);
	BOOST_TEST(zone.p.at("mail.alice.class.test") == 2525);
	BOOST_TEST(zone.srv.at("_submission._tcp.alice.class.test").at(0).port == 2525);

	mail::test::TempDir dir;
	const Zone loaded = mail::loadZone(dir.write("zone.yaml", mail::zoneText(zone)));
	BOOST_TEST((loaded.mx == zone.mx));
	BOOST_TEST((loaded.a == zone.a));
	BOOST_TEST((loaded.p == zone.p));
	BOOST_TEST((loaded.srv == zone.srv));
}


BOOST_AUTO_TEST_CASE(deletes_an_rrset_a_name_and_one_record)
{
	Zone zone = registered();
	applyUpdate(zone, "class.test", update({addRecord("mail.alice.class.test", TypeA, 60, rdataA(0x7F000003))}));
	BOOST_TEST(zone.a.at("mail.alice.class.test").size() == 2u);
	applyUpdate(zone, "class.test", update({deleteRecord("mail.alice.class.test", TypeA, rdataA(0x7F000002))}));
	BOOST_TEST(zone.a.at("mail.alice.class.test").at(0) == 0x7F000003u);
	applyUpdate(zone, "class.test", update({deleteRrset("alice.class.test", TypeMx)}));
	BOOST_TEST(zone.mx.empty());
	const UpdateResult result = applyUpdate(zone, "class.test", update({deleteRrset("mail.alice.class.test", TypeAny)}));
	BOOST_TEST(result.changes == 2u); // its A and its P
	BOOST_TEST(!zone.hasName("mail.alice.class.test"));
	BOOST_TEST(zone.hasName("_submission._tcp.alice.class.test"));
}


BOOST_AUTO_TEST_CASE(an_add_sets_its_rrset_ttl_which_is_answered_written_back_and_exported)
{
	Zone zone = registered(); // every TTL 60: the default, no entry
	BOOST_TEST(zone.ttl.empty());
	UpdateResult result = applyUpdate(zone, "class.test",
		update({addRecord("mail.alice.class.test", TypeA, 300, rdataA(0x7F000002)), // there already: only the TTL changes
			addRecord("mail.alice.class.test", TypeP, 7200, rdataPort(2525)),
			addRecord("bob.class.test", TypeP, 90, rdataPort(2526))}));
	BOOST_TEST(result.rcode == RcodeNoError);
	BOOST_TEST(result.changes == 3u); // two TTLs changed, one record added
	BOOST_TEST(zone.ttlOf("mail.alice.class.test", TypeA) == 300u);
	BOOST_TEST(zone.ttlOf("mail.alice.class.test", TypeP) == 7200u);
	BOOST_TEST(zone.ttlOf("alice.class.test", TypeMx) == 60u);

	// Answered with it: A and P as set, the made-up A of a P-only name with the P's TTL.
	const ZoneIndex index(zone);
	const auto answerTtl = [&index](const std::string& name, std::uint16_t type) {
		const std::vector<std::uint8_t> query = encodeQuery(7, name, type, false);
		std::vector<std::uint8_t> reply(MaxReplySize);
		reply.resize(answerQuery(index, query.data(), query.size(), reply.data(), reply.size()));
		const Message m = decodeMessage(reply.data(), reply.size());
		BOOST_REQUIRE(m.answers.size() == 1u);
		return m.answers[0].ttl;
	};
	BOOST_TEST(answerTtl("mail.alice.class.test", TypeA) == 300u);
	BOOST_TEST(answerTtl("mail.alice.class.test", TypeP) == 7200u);
	BOOST_TEST(answerTtl("bob.class.test", TypeA) == 90u);
	BOOST_TEST(answerTtl("alice.class.test", TypeMx) == 60u);

	// Written back and loaded again the same; exported per record.
	mail::test::TempDir dir;
	const Zone loaded = mail::loadZone(dir.write("zone.yaml", mail::zoneText(zone)));
	BOOST_TEST((loaded.ttl == zone.ttl));
	const std::string exported = exportZone(zone, "class.test", ZoneIndex::DefaultTtl, 1).text;
	BOOST_TEST(exported.find("mail.alice.class.test. 300 IN A 127.0.0.2\n") != std::string::npos, exported);
	BOOST_TEST(exported.find("bob.class.test. 90 IN A 127.0.0.1\n") != std::string::npos, exported);
	BOOST_TEST(exported.find("alice.class.test. IN MX 10") != std::string::npos, exported);

	// The same TTL again changes nothing; back to the default removes the entry; a deleted
	// RRset takes its TTL with it.
	result = applyUpdate(zone, "class.test", update({addRecord("mail.alice.class.test", TypeA, 300, rdataA(0x7F000002))}));
	BOOST_TEST(result.changes == 0u);
	applyUpdate(zone, "class.test", update({addRecord("mail.alice.class.test", TypeA, 60, rdataA(0x7F000002))}));
	BOOST_TEST(zone.ttl.at("mail.alice.class.test").count(TypeA) == 0u);
	applyUpdate(zone, "class.test", update({deleteRrset("mail.alice.class.test", TypeAny), deleteRrset("bob.class.test", TypeP)}));
	BOOST_TEST(zone.ttl.empty());

	// A TTL above 2^31 - 1 (RFC 2181 8) is refused.
	result = applyUpdate(zone, "class.test", update({addRecord("bob.class.test", TypeA, 0x80000000u, rdataA(1))}));
	BOOST_TEST(result.rcode == RcodeFormErr);
}


BOOST_AUTO_TEST_CASE(refusals_change_nothing)
{
	const struct
	{
		const char* what;
		Message message;
		Rcode want;
	} rows[] = {
		{"a name outside the zone", update({addRecord("alice.other.test", TypeA, 60, rdataA(1))}), RcodeNotZone},
		{"a type mail-dns does not serve (TXT)", update({addRecord("alice.class.test", 16, 60, {3, 'a', 'b', 'c'})}),
			RcodeRefused},
		{"A data of 3 octets after a good change",
			update({deleteRrset("alice.class.test", TypeMx), addRecord("x.class.test", TypeA, 60, {1, 2, 3})}), RcodeFormErr},
		{"prerequisite: name in use (it is)", update({deleteRrset("alice.class.test", TypeMx)}, {ResourceRecord{"alice.class.test", TypeAny, ClassNone, 0, {}}}),
			RcodeYxDomain},
		{"prerequisite: RRset exists (it does not)",
			update({deleteRrset("alice.class.test", TypeMx)}, {ResourceRecord{"alice.class.test", TypeSrv, ClassAny, 0, {}}}),
			RcodeNxRrset},
	};
	for (const auto& row: rows)
	{
		Zone zone = registered();
		const Zone before = zone;
		const UpdateResult result = applyUpdate(zone, "class.test", row.message);
		BOOST_CHECK_MESSAGE(result.rcode == row.want, row.what << ": got rcode " << int(result.rcode) << " " << result.reason);
		BOOST_CHECK_MESSAGE(zone.mx == before.mx && zone.a == before.a && zone.srv == before.srv, row.what << ": zone changed");
	}
}


BOOST_AUTO_TEST_SUITE_END()
