// zone_export_tests.cpp - mail-dns --export-zone: the origin chosen, the records written, the made-up SOA and NS.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "dns/zone_export.h"


namespace {


mail::Zone sample()
{
	mail::Zone zone;
	zone.mx["mail.example.org"] = {{10, "mx1.example.org"}, {20, "mx2.other.net"}};
	zone.p["mx1.example.org"] = 2525;
	zone.a["mx2.other.net"] = {0x0A000001};
	zone.p["smtp.example.org"] = 0x0401;
	zone.a["smtp.example.org"] = {0x0A000002, 0x0A000003};
	return zone;
}


bool has(const std::string& text, const std::string& line)
{
	return text.find("\n" + line + "\n") != std::string::npos;
}


} // namespace


BOOST_AUTO_TEST_SUITE(zone_export_tests)


BOOST_AUTO_TEST_CASE(default_origin_is_the_common_parent)
{
	mail::Zone zone;
	BOOST_TEST(mail::dns::defaultOrigin(zone) == "");
	zone.p["smtp.mail.example.org"] = 1;
	zone.p["pop.example.org"] = 2;
	BOOST_TEST(mail::dns::defaultOrigin(zone) == "example.org");
	zone.mx["example.org"] = {{10, "x.example.org"}};
	BOOST_TEST(mail::dns::defaultOrigin(zone) == "example.org");
	zone.p["xample.org"] = 3; // a suffix by characters but not by labels
	BOOST_TEST(mail::dns::defaultOrigin(zone) == "org");
	BOOST_TEST(mail::dns::defaultOrigin(sample()) == "");
}


BOOST_AUTO_TEST_CASE(root_origin_writes_every_record_with_soa_ns_and_generic_p)
{
	const auto exported = mail::dns::exportZone(sample(), "", 60, 1234);
	const std::string& t = exported.text;
	BOOST_TEST(exported.outside.empty());
	BOOST_TEST(has(t, "$ORIGIN ."));
	BOOST_TEST(has(t, "$TTL 60"));
	BOOST_TEST(has(t, "@ IN SOA ns. hostmaster. 1234 3600 600 86400 60"));
	BOOST_TEST(has(t, "@ IN NS ns."));
	BOOST_TEST(has(t, "ns. IN A 127.0.0.1"));
	BOOST_TEST(has(t, "mail.example.org. IN MX 10 mx1.example.org."));
	BOOST_TEST(has(t, "mail.example.org. IN MX 20 mx2.other.net."));
	BOOST_TEST(has(t, "mx1.example.org. IN A 127.0.0.1")); // P without A: what mail-dns answers
	BOOST_TEST(has(t, "mx1.example.org. IN TYPE65280 \\# 2 09DD"));
	BOOST_TEST(has(t, "mx2.other.net. IN A 10.0.0.1"));
	BOOST_TEST(has(t, "smtp.example.org. IN A 10.0.0.2"));
	BOOST_TEST(has(t, "smtp.example.org. IN A 10.0.0.3"));
	BOOST_TEST(t.find("smtp.example.org. IN A 127.0.0.1") == std::string::npos); // A given: no 127.0.0.1
	BOOST_TEST(has(t, "smtp.example.org. IN TYPE65280 \\# 2 0401"));
}


BOOST_AUTO_TEST_CASE(names_outside_the_origin_are_left_out_and_returned)
{
	mail::Zone zone = sample();
	zone.a["ns.example.org"] = {0x0A000009};
	const auto exported = mail::dns::exportZone(zone, "example.org", 60, 7);
	BOOST_TEST(has(exported.text, "$ORIGIN example.org."));
	BOOST_TEST(has(exported.text, "@ IN SOA ns.example.org. hostmaster.example.org. 7 3600 600 86400 60"));
	BOOST_TEST(has(exported.text, "ns.example.org. IN A 10.0.0.9"));
	BOOST_TEST(exported.text.find("ns.example.org. IN A 127.0.0.1") == std::string::npos); // the zone's own address
	BOOST_TEST(exported.text.find("mx2.other.net. IN A") == std::string::npos);
	BOOST_REQUIRE(exported.outside.size() == 1u);
	BOOST_TEST(exported.outside[0] == "mx2.other.net");
}


BOOST_AUTO_TEST_SUITE_END()
