// message_json.cpp - a stored message as the API's JSON: the listing's summary and the full view.
#include "server/http/message_json.h"

#include "server/http/http_error.h"
#include "server/http/http_reply.h"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>


namespace mail {


namespace {


constexpr std::size_t kSnippetLength = 120; ///< octets of the body shown in a listing


std::string snippetOf(const std::string& text)
/// The body's start on one line; cut at a UTF-8 character boundary.
{
	std::string out;
	bool space = false;
	for (char c: text)
	{
		if (out.size() >= kSnippetLength) break;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		{
			space = !out.empty();
			continue;
		}
		if (space) out += ' ';
		space = false;
		out += c;
	}
	while (!out.empty() && out.size() >= kSnippetLength && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
		out.pop_back();
	if (!out.empty() && out.size() >= kSnippetLength && (static_cast<unsigned char>(out.back()) & 0xC0) == 0xC0)
		out.pop_back();
	return out;
}


Poco::Dynamic::Var orNull(const std::string& text, bool present)
{
	return present ? Poco::Dynamic::Var(text) : Poco::Dynamic::Var();
}


} // namespace


Poco::JSON::Object::Ptr messageSummary(const StoredMessage& stored, const MimeMessage& message)
{
	Poco::JSON::Object::Ptr item = jsonObject();
	item->set("id", stored.id);
	item->set("from", message.header("From"));
	item->set("to", message.header("To"));
	item->set("subject", message.header("Subject"));
	item->set("date", message.header("Date"));
	item->set("size", stored.size);
	item->set("snippet", snippetOf(message.textPart ? message.text() : message.html()));
	item->set("message_id", message.header("Message-ID"));
	return item;
}


Poco::JSON::Object::Ptr messageDetail(const StoredMessage& stored, const MimeMessage& message)
{
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("id", stored.id);
	body->set("mailbox", stored.account);
	body->set("size", stored.size);
	for (const char* name: {"From", "To", "Cc", "Subject", "Date"}) body->set(Poco::toLower(std::string(name)), message.header(name));
	body->set("message_id", message.header("Message-ID"));
	Poco::JSON::Array::Ptr headers = new Poco::JSON::Array;
	for (const auto& field: message.headers)
	{
		Poco::JSON::Object::Ptr header = jsonObject();
		header->set("name", field.first);
		header->set("value", field.second);
		headers->add(header);
	}
	body->set("headers", headers);
	body->set("text", orNull(message.text(), message.textPart != 0));
	body->set("html", orNull(message.html(), message.htmlPart != 0));
	Poco::JSON::Array::Ptr attachments = new Poco::JSON::Array;
	for (std::size_t i = 0; i < message.parts.size(); ++i)
	{
		const MimePart& part = message.parts[i];
		if (!part.attachment) continue;
		Poco::JSON::Object::Ptr attachment = jsonObject();
		attachment->set("part", i + 1);
		attachment->set("filename", part.filename);
		attachment->set("content_type", part.contentType);
		attachment->set("size", part.decoded().size());
		attachments->add(attachment);
	}
	body->set("attachments", attachments);
	return body;
}


void sendDeleted(Poco::Net::HTTPServerResponse& response, const std::string& account, MailboxView::DeleteResult result,
	const std::vector<std::string>& deleted)
{
	if (result == MailboxView::DeleteResult::Locked)
		throw HttpError(409, "mailbox " + account + " is held by a POP3 session; try again after it ends");
	if (result == MailboxView::DeleteResult::Failed) throw HttpError(500, "mailbox " + account + ": cannot delete");
	Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
	for (const auto& id: deleted) ids->add(id);
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("deleted", ids);
	sendJson(response, body);
}


bool messageMatches(const MimeMessage& message, const std::string& needle)
{
	for (const std::string& field:
		{message.header("From"), message.header("To"), message.header("Subject"), message.text(), message.html()})
	{
		if (Poco::toLower(field).find(needle) != std::string::npos) return true;
	}
	return false;
}


} // namespace mail
