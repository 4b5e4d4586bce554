// delivery_tests.cpp - routing addresses and delivering: Return-Path on local copies only, spool files
// that become queue entries.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "test/unit/fixtures.h"
#include "server/mail/delivery.h"
#include "server/mail/spool_file.h"
#include "server/store/queue/relay_queue.h"
#include "server/store/maildir_store.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>

#include <set>
#include <string>
#include <vector>

using mail::DeliveryRoute;
using mail::QueueEnvelope;
using mail::test::TempDir;


BOOST_AUTO_TEST_SUITE(delivery_tests)


namespace {


const std::string kMessage = "Received: from c ([127.0.0.1])\r\nSubject: t\r\n\r\nhi\r\n";
const std::string kStored = "Received: from c ([127.0.0.1])\nSubject: t\n\nhi\n"; // Maildir files: LF


struct DeliveryFixture
/// One server with accounts in local.example, its Maildirs and relay queue in a temp dir.
{
	DeliveryFixture():
		store(dir.path() + "/srv/mail"),
		queue(dir.path() + "/srv/queue"),
		delivery(makeServer(), store, queue)
	{
	}

	const mail::ServerConfig& makeServer()
	{
		server.name = "srv.example";
		server.addAccount("usr1@local.example", "p1");
		server.addAccount("Usr2@local.example", "p2");
		server.domains = {"local.example"};
		return server;
	}

	std::vector<std::string> mailbox(const std::string& account) const
	/// The contents of every message in the account's new/.
	{
		std::vector<std::string> messages;
		const std::string path = store.mailboxPath(account) + "/new";
		if (!Poco::File(path).exists()) return messages;
		for (Poco::DirectoryIterator it(path), end; it != end; ++it)
		{
			Poco::FileInputStream in(it->path());
			std::string text;
			Poco::StreamCopier::copyToString(in, text);
			messages.push_back(text);
		}
		return messages;
	}

	TempDir dir;
	mail::ServerConfig server;
	mail::MaildirStore store;
	mail::RelayQueue queue;
	mail::Delivery delivery;
};


std::set<std::string> files(const std::string& dir)
{
	std::set<std::string> names;
	if (!Poco::File(dir).exists()) return names;
	for (Poco::DirectoryIterator it(dir), end; it != end; ++it) names.insert(it.name());
	return names;
}


} // namespace


BOOST_FIXTURE_TEST_CASE(route_local_remote_refused, DeliveryFixture)
{
	struct Row
	{
		const char* address;
		DeliveryRoute::Kind kind;
		const char* account;
	};
	const std::vector<Row> rows = {
		{"usr1@local.example", DeliveryRoute::Kind::Local, "usr1@local.example"},
		{"USR1@Local.EXAMPLE", DeliveryRoute::Kind::Local, "usr1@local.example"}, // as Postfix lookups: whole address
		{"usr2@local.example", DeliveryRoute::Kind::Local, "Usr2@local.example"}, // the key as written
		{"far@remote.example", DeliveryRoute::Kind::Remote, ""},
		{"", DeliveryRoute::Kind::Remote, ""}, // the null path is never ours
		{"ghost@local.example", DeliveryRoute::Kind::Refused, ""},
		{"ghost@LOCAL.example", DeliveryRoute::Kind::Refused, ""},
	};
	for (const auto& row: rows)
	{
		const DeliveryRoute route = delivery.route(row.address);
		BOOST_CHECK_MESSAGE(route.kind == row.kind, row.address << ": got kind " << static_cast<int>(route.kind) << " want " << static_cast<int>(row.kind));
		BOOST_CHECK_MESSAGE(route.account == row.account, row.address << ": got account '" << route.account << "' want '" << row.account << "'");
	}
	const DeliveryRoute refused = delivery.route("ghost@local.example");
	BOOST_TEST(refused.code == 550);
	BOOST_TEST(refused.reason ==
		"5.1.1 <ghost@local.example>: Recipient address rejected: "
		"User unknown in local recipient table");
	BOOST_TEST(delivery.route("usr1@local.example").code == 0);
}


BOOST_FIXTURE_TEST_CASE(return_path_on_local_copies_only, DeliveryFixture)
{
	const mail::DeliveryResult result = delivery.deliver("usr1@local.example",
		{"usr2@local.example", "USR1@local.example", "Usr2@Local.Example", "far@remote.example",
			"far@remote.example", "other@remote.example"},
		kMessage);
	BOOST_TEST(result.local == 2u);  // each account once, however it was written
	BOOST_TEST(result.remote == 2u); // each address once
	BOOST_TEST(!result.maildir.empty());
	BOOST_TEST(result.queued);
	BOOST_TEST(queue.scan().at(0).id == result.id); // the queue names it by its one id
	for (const char* account: {"usr1@local.example", "Usr2@local.example"})
	{
		const auto messages = mailbox(account);
		BOOST_REQUIRE_MESSAGE(messages.size() == 1u, account << ": " << messages.size() << " messages");
		BOOST_TEST(messages[0] == "Return-Path: <usr1@local.example>\n" + kStored);
	}
	const auto queued = queue.scan();
	BOOST_REQUIRE(queued.size() == 1u);
	BOOST_TEST(queued[0].sender == "usr1@local.example");
	BOOST_REQUIRE(queued[0].recipients.size() == 2u);
	BOOST_TEST(queued[0].recipients[0].address == "far@remote.example");
	BOOST_TEST(queued[0].recipients[1].address == "other@remote.example");
	BOOST_TEST(queue.readMessage(queued[0].id) == kMessage); // no Return-Path: the final server adds its own
}


BOOST_FIXTURE_TEST_CASE(null_sender_and_nothing_to_queue, DeliveryFixture)
{
	const mail::DeliveryResult result = delivery.deliver("", {"usr1@local.example"}, kMessage);
	BOOST_TEST(result.local == 1u);
	BOOST_TEST(result.remote == 0u);
	BOOST_TEST(!result.queued);
	BOOST_TEST(queue.scan().empty());
	const auto messages = mailbox("usr1@local.example");
	BOOST_REQUIRE(messages.size() == 1u);
	BOOST_TEST(messages[0] == "Return-Path: <>\n" + kStored);
}


BOOST_FIXTURE_TEST_CASE(a_refused_address_given_to_deliver_is_queued_not_stored, DeliveryFixture)
{
	// The relay's bounce to a sender of our domain that is no longer an account: queued,
	// as before, and the relay's own checks decide what becomes of it.
	const mail::DeliveryResult result = delivery.deliver("", {"ghost@local.example"}, kMessage);
	BOOST_TEST(result.local == 0u);
	BOOST_TEST(result.remote == 1u);
	BOOST_REQUIRE(queue.scan().size() == 1u);
	BOOST_TEST(!Poco::File(store.mailboxPath("ghost@local.example")).exists());
}


BOOST_AUTO_TEST_CASE(a_queue_failure_after_local_copies_throws)
{
	TempDir dir;
	mail::ServerConfig server;
	server.addAccount("usr1@local.example", "p1");
	server.domains = {"local.example"};
	mail::MaildirStore store(dir.path() + "/srv/mail");
	mail::RelayQueue queue(dir.write("blocker", "x") + "/queue"); // under a plain file: every enqueue fails
	const mail::Delivery delivery(server, store, queue);
	BOOST_CHECK_THROW(delivery.deliver("usr1@local.example", {"usr1@local.example", "far@remote.example"}, kMessage),
		Poco::Exception);
	// Local copies first: stored before the queue failed (the client retries; never lost).
	std::size_t stored = 0;
	for (Poco::DirectoryIterator it(store.mailboxPath("usr1@local.example") + "/new"), end; it != end; ++it) ++stored;
	BOOST_TEST(stored == 1u);
}


BOOST_FIXTURE_TEST_CASE(remote_only_mail_is_spooled_into_its_queue_entry_and_mixed_mail_gets_its_own, DeliveryFixture)
{
	// Remote recipients only: DATA streams into the queue directory, and the file is the entry.
	mail::Envelope remote{mail::newEnvelopeId(), "usr1@local.example", {}};
	remote.recipients.push_back({"far@remote.example", mail::Delivery::route(server, "far@remote.example")});
	auto spool = delivery.openSpool(remote);
	BOOST_TEST(spool->path() == queue.directory() + "/" + remote.id + ".mail.tmp");
	spool->line("Subject: caf\xc3\xa9");
	spool->line("");
	spool->line(".starts with a dot");
	spool->end(); // as SMTP does: the end of its sink chain, before delivery rewrites the head
	const mail::DeliveryResult r = delivery.deliver(remote, *spool);
	BOOST_TEST(r.queued);
	BOOST_TEST(r.size == std::string("Subject: caf\xc3\xa9\r\n\r\n.starts with a dot\r\n").size());
	BOOST_TEST(files(queue.directory()) == (std::set<std::string>{remote.id + ".mail"}));
	BOOST_TEST(files(store.spoolDirectory()).empty());
	QueueEnvelope e;
	BOOST_REQUIRE(queue.load(remote.id, e));
	BOOST_TEST(e.sender == "usr1@local.example");
	BOOST_TEST(e.size == static_cast<std::int64_t>(r.size));
	mail::QueuedMessage m = queue.open(e);
	BOOST_TEST(m.eightBit());
	BOOST_TEST(m.lfLines());
	BOOST_TEST(m.whole() == "Subject: caf\xc3\xa9\r\n\r\n.starts with a dot\r\n"); // no Return-Path
	spool.reset();
	BOOST_TEST(files(queue.directory()).size() == 1u);

	// Local and remote: the Maildir's inode never carries the envelope, the queue has a copy.
	mail::Envelope mixed{mail::newEnvelopeId(), "usr1@local.example", {}};
	for (const char* a: {"usr1@local.example", "far@remote.example"}) mixed.recipients.push_back({a, mail::Delivery::route(server, a)});
	spool = delivery.openSpool(mixed);
	BOOST_TEST(spool->path().find(store.spoolDirectory()) == 0u);
	spool->line("Subject: plain");
	spool->line("");
	spool->line("x");
	delivery.deliver(mixed, *spool);
	const auto stored = mailbox("usr1@local.example");
	BOOST_REQUIRE(stored.size() == 1u);
	BOOST_TEST(stored[0] == "Return-Path: <usr1@local.example>\nSubject: plain\n\nx\n");
	BOOST_REQUIRE(queue.load(mixed.id, e));
	BOOST_TEST(e.recipients.size() == 1u);
	BOOST_TEST(!queue.open(e).eightBit());
	BOOST_TEST(queue.readMessage(mixed.id) == "Subject: plain\r\n\r\nx\r\n");
}


BOOST_FIXTURE_TEST_CASE(a_spool_abandoned_before_the_final_dot_leaves_nothing, DeliveryFixture)
{
	mail::Envelope remote{mail::newEnvelopeId(), "usr1@local.example", {}};
	remote.recipients.push_back({"far@remote.example", mail::Delivery::route(server, "far@remote.example")});
	{
		auto spool = delivery.openSpool(remote);
		spool->line("Subject: never finished");
	}
	BOOST_TEST(files(queue.directory()).empty());
	BOOST_TEST(queue.scan().empty());
}


BOOST_AUTO_TEST_SUITE_END()
