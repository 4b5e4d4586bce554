// journal_event.h - one journal event: a JSON object built key by key, with its linking ids.
//
// Events are written as JSON lines and served by the HTTP API, and their strings come
// from the network (HELO names, subjects, addresses), so every value is escaped here,
// in one place: quotes, backslashes and control bytes (CR/LF included) are escaped, and
// bytes that are not valid UTF-8 become U+FFFD, so no value can break a line or the JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


std::string jsonString(const std::string& value);
/// value as a quoted JSON string (escaped as above).
void appendJsonString(std::string& out, const std::string& value);
/// The same, appended to out (no temporary string).


class JournalEvent
/// The body of one event before the journal stamps it with t, seq and server.
{
public:
	explicit JournalEvent(const char* type);
	static constexpr std::size_t kBodyReserve = 384; ///< a POP3 or IMAP read's body is ~200 octets

	JournalEvent& str(const char* key, const std::string& value);
	/// A string value; session, queue_id, message_id and remote_id are also kept as
	/// the event's linking ids (the journal filters on them).
	JournalEvent& num(const char* key, std::int64_t value);
	JournalEvent& flag(const char* key, bool value);
	JournalEvent& list(const char* key, const std::vector<std::string>& values);
	JournalEvent& raw(const char* key, const std::string& json);
	/// A value already rendered as JSON (an array of objects).
	JournalEvent& at(std::int64_t micros);
	/// When it happened, if not now (an attempt recorded at its end is dated at its start,
	/// so it sorts before what the next hop recorded meanwhile).

	const std::string& type() const { return _type; }
	std::int64_t time() const { return _time; }       ///< 0: when recorded
	const std::string& body() const { return _body; } ///< "key":value pairs, comma-separated
	const std::string& session() const { return _session; }
	const std::string& queueId() const { return _queueId; }
	const std::string& messageId() const { return _messageId; }
	const std::string& remoteId() const { return _remoteId; }

private:
	void key(const char* key);

	std::string _type;
	std::int64_t _time = 0;
	std::string _body;
	std::string _session;
	std::string _queueId;
	std::string _messageId;
	std::string _remoteId;
};


} // namespace mail
