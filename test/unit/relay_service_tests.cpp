// relay_service_tests.cpp - the worker pool end to end in-process: queue -> mail-dns -> fake peer.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/journal/event_catalogue.h"
#include "common/journal/journal.h"
#include "server/journal/journal_events.h"
#include "dns/dns_server.h"
#include "test/unit/fake_smtp_peer.h"
#include "test/unit/fixtures.h"
#include "dns/zone_index.h"
#include "server/mail/envelope.h"
#include "server/mail/delivery.h"
#include "server/store/queue/relay_queue.h"
#include "server/relay/relay_service.h"
#include "server/store/maildir_store.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

using mail::test::FakeSmtpPeer;
using mail::test::TempDir;
using Clock = std::chrono::steady_clock;


namespace {


const std::string kSender = "usr1@mail.sustech.edu.cn";
const std::string kMessage = "Return-Path: <usr1@mail.sustech.edu.cn>\r\nSubject: relay test\r\n\r\nhello\r\n";


template <typename Predicate>
bool waitFor(Predicate predicate, std::chrono::milliseconds limit)
{
	const auto deadline = Clock::now() + limit;
	while (Clock::now() < deadline)
	{
		if (predicate()) return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	return predicate();
}


// Attempts under way at DESTINATION now (0 when it has none).
unsigned inFlight(const mail::RelayService& relay, const std::string& destination)
{
	for (const auto& d: relay.destinations())
		if (d.destination == destination) return d.inFlight;
	return 0;
}


std::vector<std::string> mailbox(const std::string& dir)
/// The contents of every message in a Maildir's new/.
{
	std::vector<std::string> messages;
	if (!Poco::File(dir + "/new").exists()) return messages;
	for (Poco::DirectoryIterator it(dir + "/new"), end; it != end; ++it)
	{
		Poco::FileInputStream in(it->path());
		std::string text;
		Poco::StreamCopier::copyToString(in, text);
		messages.push_back(text);
	}
	return messages;
}


struct Provider
/// One mail-server's relay side (queue, store, workers) with its own mail-dns, whose
/// zone sends fake.example to the peer, down.example to a closed port and slow.example
/// to slowPort.
{
	explicit Provider(std::uint16_t peerPort, std::uint16_t slowPort = closedPort(), unsigned workers = 2)
	{
		mail::Zone zone;
		zone.mx["fake.example"] = {{10, "mx.fake.example"}};
		zone.p["mx.fake.example"] = peerPort;
		zone.mx["down.example"] = {{10, "mx.down.example"}};
		zone.p["mx.down.example"] = closedPort();
		zone.mx["slow.example"] = {{10, "mx.slow.example"}};
		zone.p["mx.slow.example"] = slowPort;
		dns = std::make_unique<mail::dns::DnsServer>(Poco::Net::SocketAddress("127.0.0.1", 0), 1,
			std::make_shared<const mail::dns::ZoneIndex>(zone));
		dns->start();

		config.dns.host = "127.0.0.1";
		config.dns.port = dns->address().port();
		mail::ServerConfig server;
		server.name = "exmail.qq.com";
		server.smtp = closedPort();
		server.addAccount(kSender, "pass1");
		server.domains = {"mail.sustech.edu.cn"};
		server.relay.workers = workers;
		server.relay.retry = {mail::Seconds(1)};
		server.relay.connectTimeout = mail::Seconds(2);
		server.relay.commandTimeout = mail::Seconds(30);
		config.servers.push_back(server);
		context = std::make_unique<mail::ServerContext>(config, config.servers.front(), dir.path());
		store = std::make_unique<mail::MaildirStore>(context->mailDir());
		queue = std::make_unique<mail::RelayQueue>(context->queueDir());
		delivery = std::make_unique<mail::Delivery>(context->server, *store, *queue);
		relay = std::make_unique<mail::RelayService>(*context, *queue, *delivery);
	}

	~Provider()
	{
		context->stopping = true;
		relay->stop();
		dns->stop();
	}

	static std::uint16_t closedPort()
	{
		Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
		return s.address().port();
	}

	std::size_t queued() { return queue->list().size(); }
	std::vector<std::string> senderMailbox() { return mailbox(store->mailboxPath(kSender)); }

	TempDir dir;
	std::unique_ptr<mail::dns::DnsServer> dns;
	mail::Config config;
	std::unique_ptr<mail::ServerContext> context;
	std::unique_ptr<mail::MaildirStore> store;
	std::unique_ptr<mail::RelayQueue> queue;
	std::unique_ptr<mail::Delivery> delivery;
	std::unique_ptr<mail::RelayService> relay;
};


} // namespace


BOOST_AUTO_TEST_SUITE(relay_service_tests)


BOOST_AUTO_TEST_CASE(delivers_at_once_and_bounces_only_the_refused_recipient)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	Provider p(peer.port());
	p.relay->start();
	p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@fake.example", "error@fake.example"}, kMessage);
	BOOST_REQUIRE(waitFor([&] { return p.queued() == 0; }, std::chrono::seconds(30)));
	// at once: one connection, one MAIL, no retry (relay.retry is 1 s); not a wall-clock
	// bound, which a sanitizer build on a loaded machine overruns
	BOOST_TEST(peer.connections() == 1u);
	const auto commands = peer.commands();
	BOOST_TEST(std::count_if(commands.begin(), commands.end(), [](const std::string& c) { return c.rfind("MAIL FROM:", 0) == 0; }) == 1);
	BOOST_TEST(peer.messages() == 1u);
	BOOST_TEST(peer.data().find("Return-Path:") == std::string::npos); // dropped before sending on
	BOOST_TEST(peer.data().find("Subject: relay test") != std::string::npos);
	const auto dsns = p.senderMailbox();
	BOOST_REQUIRE(dsns.size() == 1u);
	// the DSN as stored in the Maildir: LF line ends
	BOOST_TEST(dsns[0].find("Final-Recipient: rfc822; error@fake.example\n") != std::string::npos);
	BOOST_TEST(dsns[0].find("Final-Recipient: rfc822; usr@fake.example") == std::string::npos);
	BOOST_TEST(dsns[0].find("Status: 5.1.1\n") != std::string::npos);
	BOOST_TEST(dsns[0].compare(0, 16, "Return-Path: <>\n") == 0);
}


BOOST_AUTO_TEST_CASE(each_messages_relay_and_dns_events_carry_its_own_ids_whichever_worker_sends_it)
{
	// The ids travel with each call (no per-thread "current message"): two workers relay
	// eight messages at once, half without a Message-ID, and every relay event and DNS
	// lookup names the message it was made for, nothing else.
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	mail::Journal journal("exmail.qq.com", 1000); // outlives the relay's workers
	mail::JournalEvents events(journal, "127.0.0.1:10053");
	Provider p(peer.port());
	p.context->events = &events;
	std::map<std::string, std::string> messageIdOf; // queue id -> Message-ID ("" for none)
	for (int i = 0; i < 8; ++i)
	{
		const std::string messageId = i % 2 ? "<m" + std::to_string(i) + "@mail.sustech.edu.cn>" : "";
		const std::string text = (messageId.empty() ? "" : "Message-ID: " + messageId + "\r\n") + std::string("Subject: ids\r\n\r\nhi\r\n");
		messageIdOf[p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@fake.example"}, text)] = messageId;
	}
	p.relay->start();
	BOOST_REQUIRE(waitFor([&] { return p.queued() == 0; }, std::chrono::seconds(20)));
	std::map<std::string, unsigned> delivered;
	unsigned lookups = 0, cachedLookups = 0;
	for (const mail::StoredEvent& e: journal.since(0, 1000))
	{
		BOOST_TEST_INFO(e.json);
		BOOST_REQUIRE(messageIdOf.count(e.queueId) == 1u);
		BOOST_TEST(e.messageId == messageIdOf[e.queueId]);
		if (e.type == mail::events::kRelayDelivered) ++delivered[e.queueId];
		if (e.type == mail::events::kDnsLookup)
		{
			++lookups;
			if (e.json.find("\"cached\":true") != std::string::npos) ++cachedLookups;
		}
	}
	BOOST_TEST(delivered.size() == messageIdOf.size());
	BOOST_TEST(lookups == 3u * messageIdOf.size()); // MX, P, A for each message
	BOOST_TEST(cachedLookups >= lookups - 6u);      // at most each worker asked them all once
}


BOOST_AUTO_TEST_CASE(a_temporary_refusal_is_retried_after_relay_retry)
{
	std::atomic<int> rcpts{0};
	FakeSmtpPeer peer("220 fake.example ESMTP", [&](const std::string& command) {
		if (command.compare(0, 8, "RCPT TO:") == 0 && rcpts++ == 0) return std::string("451 4.3.0 try again later");
		return FakeSmtpPeer::standard(command);
	});
	Provider p(peer.port());
	p.relay->start();
	const auto start = Clock::now();
	const std::string id = p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@fake.example"}, kMessage);
	BOOST_REQUIRE(waitFor([&] { return rcpts.load() == 1; }, std::chrono::seconds(10)));
	mail::QueueEnvelope envelope;
	BOOST_REQUIRE(waitFor([&] { return p.queue->load(id, envelope) && envelope.attempts == 1; }, std::chrono::seconds(10)));
	BOOST_TEST(envelope.recipients[0].status == "4.3.0");
	BOOST_TEST((envelope.recipients[0].state == mail::RecipientState::Pending));
	BOOST_REQUIRE(waitFor([&] { return peer.messages() == 1u; }, std::chrono::seconds(10)));
	BOOST_TEST((Clock::now() - start >= std::chrono::milliseconds(900))); // waited relay.retry[0]
	BOOST_REQUIRE(waitFor([&] { return p.queued() == 0; }, std::chrono::seconds(10)));
	BOOST_TEST(p.senderMailbox().empty());
}


BOOST_AUTO_TEST_CASE(the_schedule_snapshot_shows_a_queued_messages_next_attempt)
{
	Provider p(Provider::closedPort());
	const std::string id = p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@down.example"}, kMessage);
	mail::QueueEnvelope envelope;
	BOOST_REQUIRE(p.queue->load(id, envelope));
	envelope.attempts = 3;
	envelope.nextAttempt = envelope.arrival + 3600; // as a deferral would have recorded it
	p.queue->update(envelope);
	BOOST_TEST(p.relay->scheduleSnapshot().empty());
	p.relay->start();
	const std::vector<mail::ScheduledEntry> entries = p.relay->scheduleSnapshot();
	BOOST_REQUIRE(entries.size() == 1u);
	BOOST_TEST(entries[0].id == id);
	BOOST_TEST(!entries[0].inProgress);
	BOOST_TEST((entries[0].due == std::chrono::system_clock::from_time_t(static_cast<std::time_t>(envelope.nextAttempt))));
	BOOST_TEST(p.relay->scheduled() == 1u);
}


BOOST_AUTO_TEST_CASE(the_schedule_snapshot_shows_an_attempt_in_progress)
{
	std::atomic<bool> release{false};
	FakeSmtpPeer peer("220 fake.example ESMTP", [&](const std::string& command) {
		// Hold the transaction at MAIL until the test has looked.
		if (command.compare(0, 10, "MAIL FROM:") == 0)
			waitFor([&] { return release.load(); }, std::chrono::seconds(10));
		return FakeSmtpPeer::standard(command);
	});
	Provider p(peer.port());
	p.relay->start();
	const std::string id = p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@fake.example"}, kMessage);
	std::vector<mail::ScheduledEntry> entries;
	const bool seen = waitFor([&] {
		entries = p.relay->scheduleSnapshot();
		return entries.size() == 1u && entries[0].inProgress;
	},
		std::chrono::seconds(5));
	release = true;
	BOOST_REQUIRE(seen);
	BOOST_TEST(entries[0].id == id);
	BOOST_REQUIRE(waitFor([&] { return p.relay->scheduleSnapshot().empty(); }, std::chrono::seconds(5)));
	BOOST_TEST(peer.messages() == 1u);
}


BOOST_AUTO_TEST_CASE(start_resumes_what_was_queued_before)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	Provider p(peer.port());
	p.queue->enqueue(mail::newEnvelopeId(), kSender, {"a@fake.example"}, kMessage);
	p.queue->enqueue(mail::newEnvelopeId(), kSender, {"b@fake.example"}, kMessage);
	BOOST_TEST(p.queued() == 2u);
	p.relay->start();
	BOOST_REQUIRE(waitFor([&] { return p.queued() == 0; }, std::chrono::seconds(5)));
	BOOST_TEST(peer.messages() == 2u);
}


BOOST_AUTO_TEST_CASE(stop_interrupts_a_stuck_transaction_and_keeps_the_message)
{
	FakeSmtpPeer peer("220 fake.example ESMTP", [](const std::string& command) {
		return command == "DATA" ? std::string() : FakeSmtpPeer::standard(command); // never answers DATA
	});
	Provider p(peer.port());
	p.relay->start();
	p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@fake.example"}, kMessage);
	BOOST_REQUIRE(waitFor([&] { return !peer.commands().empty() && peer.commands().back() == "DATA"; },
		std::chrono::seconds(5)));
	const auto start = Clock::now();
	p.context->stopping = true;
	p.relay->stop();
	BOOST_TEST((Clock::now() - start < std::chrono::seconds(10))); // not relay.command_timeout (30 s)
	const auto left = p.queue->scan();
	BOOST_REQUIRE(left.size() == 1u);
	BOOST_TEST((left[0].recipients[0].state == mail::RecipientState::Pending));
}


BOOST_AUTO_TEST_CASE(an_unreachable_destination_stays_queued_and_is_retried)
{
	Provider p(Provider::closedPort());
	p.relay->start();
	const std::string id = p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@down.example"}, kMessage);
	mail::QueueEnvelope envelope;
	BOOST_REQUIRE(waitFor([&] { return p.queue->load(id, envelope) && envelope.attempts >= 2; }, std::chrono::seconds(10)));
	BOOST_TEST((envelope.recipients[0].state == mail::RecipientState::Pending));
	BOOST_TEST(envelope.recipients[0].diagnostic.find("Connection refused") != std::string::npos);
	BOOST_TEST(p.senderMailbox().empty());
}


BOOST_AUTO_TEST_CASE(a_silent_destination_does_not_hold_the_workers_others_need)
{
	// Accepts connections (the kernel's backlog) and never greets: each attempt would
	// hang for relay.command_timeout (30 s here).
	Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	Provider p(peer.port(), silent.address().port(), 4);
	p.relay->start();
	for (int i = 0; i < 4; ++i) p.queue->enqueue(mail::newEnvelopeId(), kSender, {"u" + std::to_string(i) + "@slow.example"}, kMessage);
	BOOST_REQUIRE(waitFor([&] { return inFlight(*p.relay, "slow.example") == 1u; }, std::chrono::seconds(10))); // taken
	const auto start = Clock::now();
	p.queue->enqueue(mail::newEnvelopeId(), kSender, {"usr@fake.example"}, kMessage);
	BOOST_REQUIRE(waitFor([&] { return peer.messages() == 1u; }, std::chrono::seconds(5)));
	BOOST_TEST((Clock::now() - start < std::chrono::seconds(5))); // held workers: the 30 s timeout
	const auto destinations = p.relay->destinations();
	const auto slow = std::find_if(destinations.begin(), destinations.end(), [](const auto& d) { return d.destination == "slow.example"; });
	BOOST_REQUIRE((slow != destinations.end()));
	BOOST_TEST(slow->inFlight == 1u); // one probe; the other three wait in its queue
	BOOST_TEST(slow->waiting == 3u);
}


BOOST_AUTO_TEST_CASE(a_message_for_two_destinations_delivers_to_the_free_one_and_waits_for_the_busy_one)
{
	Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
	FakeSmtpPeer peer("220 fake.example ESMTP", FakeSmtpPeer::standard);
	Provider p(peer.port(), silent.address().port(), 2);
	p.relay->start();
	p.queue->enqueue(mail::newEnvelopeId(), kSender, {"u1@slow.example"}, kMessage); // its probe hangs at the greeting
	BOOST_REQUIRE(waitFor([&] { return inFlight(*p.relay, "slow.example") == 1u; }, std::chrono::seconds(10)));
	const std::string id = p.queue->enqueue(mail::newEnvelopeId(), kSender, {"a@fake.example", "u2@slow.example"}, kMessage);
	BOOST_REQUIRE(waitFor([&] { return peer.messages() == 1u; }, std::chrono::seconds(10)));
	mail::QueueEnvelope envelope;
	BOOST_REQUIRE(waitFor([&] {
		return p.queue->load(id, envelope) && envelope.recipients[0].state == mail::RecipientState::Delivered;
	},
		std::chrono::seconds(10)));
	BOOST_TEST((envelope.recipients[1].state == mail::RecipientState::Pending));
	BOOST_TEST(waitFor([&] {
		const auto entries = p.relay->scheduleSnapshot();
		return std::any_of(entries.begin(), entries.end(), [&](const mail::ScheduledEntry& e) { return e.id == id && e.waiting; });
	},
		std::chrono::seconds(10)));
}


BOOST_AUTO_TEST_CASE(a_down_destination_gets_one_connection_per_retry_interval)
{
	FakeSmtpPeer refusing("421 4.3.2 mx.slow.example Service not available", FakeSmtpPeer::standard);
	Provider p(Provider::closedPort(), refusing.port(), 4); // relay.retry: [1s]
	for (int i = 0; i < 20; ++i) p.queue->enqueue(mail::newEnvelopeId(), kSender, {"u" + std::to_string(i) + "@slow.example"}, kMessage);
	p.relay->start();
	std::this_thread::sleep_for(std::chrono::milliseconds(2500));
	const unsigned connections = refusing.connections();
	BOOST_TEST_MESSAGE("connections in 2.5 s for 20 messages: " << connections);
	BOOST_TEST(connections >= 2u); // it is probed again after its dead time
	BOOST_TEST(connections <= 3u); // at 0 s, 1 s and 2 s, not 20 each time
	BOOST_TEST(p.queued() == 20u);
}


BOOST_AUTO_TEST_SUITE_END()
