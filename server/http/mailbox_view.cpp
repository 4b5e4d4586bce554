// mailbox_view.cpp - the API's read and delete access to this server's Maildirs.
#include "server/http/mailbox_view.h"

#include "common/config/config.h"
#include "server/store/mailbox_lock.h"


#include <algorithm>
#include <fstream>
#include <iterator>


namespace mail {


namespace {


std::vector<StoredMessage> snapshot(const Mailbox& mailbox, const std::string& account)
{
	std::vector<StoredMessage> out;
	for (std::uint64_t n = 1; n <= mailbox.count(); ++n)
	{
		const MailboxMessage& m = mailbox.message(n);
		out.push_back(StoredMessage{m.uid, account, m.path, m.size});
	}
	return out;
}


} // namespace


MailboxView::MailboxView(std::shared_ptr<const ServerConfig> server, std::string mailRoot):
	_server(std::move(server)),
	_mailRoot(std::move(mailRoot))
{
}


std::vector<std::string> MailboxView::accounts() const
{
	std::vector<std::string> out;
	for (const auto& account: _server->accounts) out.push_back(account.first);
	return out;
}


const std::string* MailboxView::account(const std::string& address) const
{
	return _server->accountFor(address);
}


std::string MailboxView::mailboxPath(const std::string& account) const
{
	return _mailRoot + "/" + account;
}


std::vector<StoredMessage> MailboxView::messages(const std::string& account) const
{
	return snapshot(Mailbox(mailboxPath(account)), account);
}


bool MailboxView::read(const StoredMessage& message, std::string& content)
{
	std::ifstream in(message.path, std::ios::binary);
	if (!in) return false;
	content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
	return !in.bad();
}


bool MailboxView::isMessageId(const std::string& id)
{
	// Never ".", "..", or a dot file (the lock, the spool): whatever checked the path before.
	if (id.empty() || id.size() > 255 || id.front() == '.' || id.find("..") != std::string::npos) return false;
	return std::all_of(id.begin(), id.end(), [](unsigned char c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == ','
			|| c == '=' || c == '_' || c == '-';
	});
}


bool MailboxView::find(const std::string& id, StoredMessage& found) const
{
	if (!isMessageId(id)) return false;
	for (const auto& account: _server->accounts)
	{
		for (const auto& message: messages(account.first))
		{
			if (message.id != id) continue;
			found = message;
			return true;
		}
	}
	return false;
}


MailboxView::DeleteResult MailboxView::remove(
	const std::string& account, const std::vector<std::string>& ids, std::vector<std::string>& deleted) const
{
	MailboxLock lock;
	switch (lock.acquire(mailboxPath(account)))
	{
	case MailboxLock::Result::Acquired:
		break;
	case MailboxLock::Result::Busy:
		return DeleteResult::Locked;
	case MailboxLock::Result::Failed:
		return DeleteResult::Failed;
	}
	// The snapshot is taken under the lock, as a POP3 session takes its own.
	Mailbox mailbox(mailboxPath(account));
	std::vector<std::string> marked;
	for (std::uint64_t n = 1; n <= mailbox.count(); ++n)
	{
		const std::string& uid = mailbox.message(n).uid;
		if (!ids.empty() && std::find(ids.begin(), ids.end(), uid) == ids.end()) continue;
		mailbox.markDeleted(n);
		marked.push_back(uid);
	}
	if (mailbox.commitDeletions() != 0) return DeleteResult::Failed;
	deleted = std::move(marked);
	return DeleteResult::Deleted;
}


} // namespace mail
