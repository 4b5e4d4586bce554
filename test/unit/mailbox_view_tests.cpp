// mailbox_view_tests.cpp - MailboxView: ids, lookups across accounts, deletion under the POP3 lock.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "common/config/config.h"
#include "server/http/mailbox_view.h"
#include "server/store/mailbox_lock.h"
#include "server/store/maildir_store.h"
#include "test/unit/fixtures.h"

#include <string>
#include <vector>

using mail::MailboxView;


namespace {


struct ViewFixture
/// Accounts a@ and b@example.com; `one` delivered to the first address, `two` to the second.
{
	mail::test::TempDir dir;
	mail::ServerConfig server;
	std::string root;

	ViewFixture(const std::string& first, const std::string& second):
		root(dir.file("mail"))
	{
		server.addAccount("a@example.com", "x");
		server.addAccount("b@example.com", "y");
		mail::MaildirStore store(root, "host");
		store.deliver({first}, "Subject: one\r\n\r\n1\r\n");
		store.deliver({second}, "Subject: two\r\n\r\n2\r\n");
	}
};


} // namespace


BOOST_AUTO_TEST_SUITE(mailbox_view_tests)


BOOST_AUTO_TEST_CASE(ids_are_maildir_names_only)
{
	BOOST_TEST(MailboxView::isMessageId("1796087205.M578000P13219Q4.gmail.com,S=5075,W=5163"));
	BOOST_TEST(MailboxView::isMessageId("h0123456789abcdef"));
	for (const char* bad: {"", "..", ".lock", "a..b", "a/b", "a:2,S", "a b", "a\\b", "caf\xc3\xa9"})
		BOOST_TEST(!MailboxView::isMessageId(bad), bad);
	BOOST_TEST(!MailboxView::isMessageId(std::string(256, 'a')));
}


BOOST_AUTO_TEST_CASE(messages_found_in_their_account_and_read)
{
	ViewFixture f("a@example.com", "b@example.com");
	const MailboxView view(std::make_shared<const mail::ServerConfig>(f.server), f.root);
	BOOST_TEST(view.messages("a@example.com").size() == 1u);
	BOOST_TEST(view.messages("b@example.com").size() == 1u);
	const std::string id = view.messages("b@example.com").at(0).id;
	mail::StoredMessage found;
	BOOST_REQUIRE(view.find(id, found));
	BOOST_TEST(found.account == "b@example.com");
	std::string content;
	BOOST_REQUIRE(MailboxView::read(found, content));
	BOOST_TEST(content == "Subject: two\n\n2\n");
	BOOST_TEST(!view.find(id + "x", found));
	BOOST_TEST(!view.find("../" + id, found));
	BOOST_TEST(view.account("A@EXAMPLE.COM") != nullptr);
	BOOST_TEST(view.account("c@example.com") == nullptr);
	BOOST_TEST(view.messages("never-delivered@example.com").empty());
}


BOOST_AUTO_TEST_CASE(deletion_waits_for_no_one_and_refuses_a_held_mailbox)
{
	ViewFixture f("a@example.com", "a@example.com");
	const MailboxView view(std::make_shared<const mail::ServerConfig>(f.server), f.root);
	const std::string first = view.messages("a@example.com").at(0).id;
	std::vector<std::string> deleted;
	{
		mail::MailboxLock pop3;
		BOOST_REQUIRE((pop3.acquire(view.mailboxPath("a@example.com")) == mail::MailboxLock::Result::Acquired));
		BOOST_TEST(mail::mailboxLockHeld(view.mailboxPath("a@example.com")));
		BOOST_TEST(static_cast<int>(view.remove("a@example.com", {}, deleted)) == static_cast<int>(MailboxView::DeleteResult::Locked));
		BOOST_TEST(deleted.empty());
		BOOST_TEST(view.messages("a@example.com").size() == 2u);
	}
	BOOST_TEST(!mail::mailboxLockHeld(view.mailboxPath("a@example.com")));
	BOOST_TEST(static_cast<int>(view.remove("a@example.com", {first}, deleted)) == static_cast<int>(MailboxView::DeleteResult::Deleted));
	BOOST_TEST(deleted == std::vector<std::string>{first});
	BOOST_TEST(view.messages("a@example.com").size() == 1u);
	BOOST_TEST(static_cast<int>(view.remove("a@example.com", {}, deleted)) == static_cast<int>(MailboxView::DeleteResult::Deleted));
	BOOST_TEST(deleted.size() == 1u);
	BOOST_TEST(view.messages("a@example.com").empty());
	// the lock was released: a POP3 login gets in
	mail::MailboxLock pop3;
	BOOST_TEST((pop3.acquire(view.mailboxPath("a@example.com")) == mail::MailboxLock::Result::Acquired));
}


BOOST_AUTO_TEST_SUITE_END()
