// message_json.h - a stored message as the API's JSON: the listing's summary and the full view.
#pragma once

#include "server/http/mailbox_view.h"
#include "server/http/mime_message.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>
#include <vector>


namespace mail {


Poco::JSON::Object::Ptr messageSummary(const StoredMessage& stored, const MimeMessage& message);
/// {"id", "from", "to", "subject", "date", "size", "snippet", "message_id"} (docs/api.md).

Poco::JSON::Object::Ptr messageDetail(const StoredMessage& stored, const MimeMessage& message);
/// {"id", "mailbox", "size", "from", "to", "cc", "subject", "date", "message_id", "headers",
/// "text", "html", "attachments"}; text and html are null when absent.

void sendDeleted(Poco::Net::HTTPServerResponse& response, const std::string& account,
	MailboxView::DeleteResult result, const std::vector<std::string>& deleted);
/// `{"deleted": [ids]}`, or the 409 (a POP3 session holds the mailbox) or 500 of result.

bool messageMatches(const MimeMessage& message, const std::string& needle);
/// The `q` search: needle (lower-case) in from, to, subject or the text/HTML body,
/// case-insensitively.


} // namespace mail
