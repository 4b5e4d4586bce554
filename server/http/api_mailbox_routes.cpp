// api_mailbox_routes.cpp - /api/v1/mailboxes: the accounts, their messages (paged, searched,
// waited for) and the purge.
#include "common/config/config.h"
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/http/mailbox_view.h"
#include "server/http/message_json.h"
#include "server/server_context.h"
#include "server/store/mailbox_lock.h"

#include <Poco/String.h>
#include <Poco/Thread.h>

#include <atomic>
#include <chrono>
#include <stdexcept>


namespace mail {


namespace {


constexpr long kMaxWaitSeconds = 60;  ///< docs/api.md: wait answers by then at the latest
constexpr int kMaxWaiters = 8;        ///< half the HTTP threads; the rest keep answering
constexpr long kWaitIntervalMs = 200; ///< re-scan of the Maildir while waiting
std::atomic<int> waiters{0};


std::string accountOf(const MailboxView& view, const RouteRequest& request)
{
	const std::string* account = view.account(request.param("address"));
	if (!account) throw HttpError(404, "no mailbox " + request.param("address"));
	return *account;
}


long timeoutSeconds(const RouteRequest& request)
/// `timeout=10s` (a config duration) or a bare number of seconds; default 10s, at most 60s.
{
	std::string text = request.query("timeout", "10s");
	if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) text += "s";
	long seconds = 0;
	try
	{
		seconds = static_cast<long>(parseDuration(text).count());
	}
	catch (const std::invalid_argument&)
	{
		throw HttpError(400, "timeout: expected seconds or a duration such as 10s, got '" + request.query("timeout") + "'");
	}
	return std::min(seconds, kMaxWaitSeconds);
}


void waitForMessages(const ServerContext& context, const MailboxView& view, const std::string& account,
	std::size_t wanted, long seconds)
/// Re-scans new/ and cur/ every kWaitIntervalMs until the mailbox holds wanted messages,
/// the time is up or the server stops: bounded, and a slot of kMaxWaiters.
{
	if (view.messages(account).size() >= wanted) return;
	if (waiters.fetch_add(1) >= kMaxWaiters)
	{
		waiters.fetch_sub(1);
		throw HttpError(503, "too many requests waiting for mail; try again");
	}
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
	while (!context.stopping && std::chrono::steady_clock::now() < deadline && view.messages(account).size() < wanted)
		Poco::Thread::sleep(kWaitIntervalMs);
	waiters.fetch_sub(1);
}


void listMessages(HttpApi& api, RouteRequest& request, Poco::Net::HTTPServerResponse& response)
{
	const MailboxView view(api.context.current(), api.context.mailDir());
	const std::string account = accountOf(view, request);
	const long page = request.queryNumber("page", 1, 1, 1000000);
	const long perPage = request.queryNumber("per_page", 50, 1, 1000);
	const long wanted = request.queryNumber("wait", 0, 0, 1000000);
	const std::string needle = Poco::toLower(request.query("q"));
	if (wanted > 0) waitForMessages(api.context, view, account, static_cast<std::size_t>(wanted), timeoutSeconds(request));

	std::vector<StoredMessage> stored = view.messages(account);
	Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
	std::size_t total = 0;
	const std::size_t first = static_cast<std::size_t>((page - 1) * perPage);
	for (auto it = stored.rbegin(); it != stored.rend(); ++it) // newest first
	{
		std::string content;
		if (!MailboxView::read(*it, content)) continue; // removed since the scan
		const MimeMessage message = parseMimeMessage(content);
		if (!needle.empty() && !messageMatches(message, needle)) continue;
		if (total >= first && total < first + static_cast<std::size_t>(perPage)) items->add(messageSummary(*it, message));
		++total;
	}
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("address", account);
	body->set("total", total);
	body->set("page", page);
	body->set("per_page", perPage);
	body->set("messages", items);
	sendJson(response, body);
}


void listMailboxes(HttpApi& api, Poco::Net::HTTPServerResponse& response)
{
	const MailboxView view(api.context.current(), api.context.mailDir());
	Poco::JSON::Array::Ptr mailboxes = new Poco::JSON::Array;
	for (const auto& account: view.accounts())
	{
		const std::vector<StoredMessage> messages = view.messages(account);
		std::uint64_t bytes = 0;
		for (const auto& m: messages) bytes += m.size;
		Poco::JSON::Object::Ptr item = jsonObject();
		item->set("address", account);
		item->set("messages", messages.size());
		item->set("bytes", bytes);
		item->set("locked", mailboxLockHeld(view.mailboxPath(account)));
		mailboxes->add(item);
	}
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("mailboxes", mailboxes);
	sendJson(response, body);
}


} // namespace


void registerMailboxRoutes(HttpRouter& router, HttpApi& api)
{
	router.add("GET", "/api/v1/mailboxes",
		[&api](RouteRequest&, Poco::Net::HTTPServerResponse& response) { listMailboxes(api, response); });
	router.add("GET", "/api/v1/mailboxes/{address}/messages",
		[&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) { listMessages(api, request, response); });
	router.add("DELETE", "/api/v1/mailboxes/{address}/messages",
		[&api](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
			const MailboxView view(api.context.current(), api.context.mailDir());
			const std::string account = accountOf(view, request);
			std::vector<std::string> deleted;
			const MailboxView::DeleteResult result = view.remove(account, {}, deleted);
			sendDeleted(response, account, result, deleted);
		});
}


} // namespace mail
