// queue_envelope.h - a queued message's envelope (sender, recipient states, times), its state text
// (.state, and .env of entries written before the one-file queue) and the head of a one-file entry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>


namespace mail {


enum class RecipientState
{
	Pending,   ///< still to be sent (never tried, or failed temporarily)
	Delivered, ///< accepted by the destination (2xx)
	Failed,    ///< failed permanently; the sender has not been told yet
	Bounced    ///< failed permanently and the delivery status notification is written
};

const char* toString(RecipientState state);


struct QueuedRecipient
{
	std::string address;
	RecipientState state = RecipientState::Pending;
	std::string status;     ///< RFC 3463 status of the last outcome ("5.1.1"), empty if none
	std::string remoteMta;  ///< exchanger that gave the last reply, empty if none
	std::string diagnostic; ///< the last reply or error text, empty if none

	bool final() const { return state != RecipientState::Pending; }
};


struct QueueEnvelope
{
	std::string id;
	std::string sender; ///< empty: null reverse-path (a bounce)
	std::vector<QueuedRecipient> recipients;
	std::int64_t arrival = 0; ///< unix seconds
	unsigned attempts = 0;
	std::int64_t nextAttempt = 0; ///< unix seconds
	std::int64_t size = -1;       ///< octets on the wire (CRLF); -1: not recorded (a version 1 envelope)
	bool held = false;            ///< on hold (`mail-server queue hold`): not tried until released
	bool legacy = false;          ///< written before the one-file queue (<id>.msg + <id>.env), set by RelayQueue

	bool finished() const; ///< every recipient is Delivered or Bounced
};


std::string formatEnvelope(const QueueEnvelope& envelope);
/// The .state (and old .env) text, version 2: one "key<TAB>value" line per field, one "rcpt" line per
/// recipient, "end" last; values backslash-escape \\, tab, CR and LF.
QueueEnvelope parseEnvelope(const std::string& text);
/// Inverse of formatEnvelope(); also reads version 1 (written before the size line
/// existed: size stays -1). Throws Poco::DataFormatException on bad input.


struct QueueEntryHead
/// The fixed part of a one-file queue entry (<id>.mail): what SMTP knows when DATA ends.
{
	std::string id;
	std::string sender; ///< empty: null reverse-path
	std::vector<std::string> recipients;
	std::int64_t arrival = 0;   ///< unix seconds
	std::uint64_t bodySize = 0; ///< octets of the message after the head (LF line ends)
	std::uint64_t wireSize = 0; ///< the same message's octets with CRLF line ends (SIZE=)
	bool eightBit = false;      ///< some octet of the message is >= 0x80

	QueueEnvelope envelope() const; ///< every recipient pending, never tried, due at arrival
};


std::string formatEntryHead(const QueueEntryHead& head);
/// "mailq<TAB>1", then id, sender, arrival, a "body" line (size, wire size, 8bit or
/// 7bit), one "rcpt" line per recipient and "end", each ending in LF, fields escaped as
/// in formatEnvelope(). The numbers have a fixed width, so a head written before the
/// sizes are known is rewritten in place with the same length.

std::size_t parseEntryHead(const char* data, std::size_t length, QueueEntryHead& head);
/// The head at the start of data: its length (where the message starts), or 0 when data
/// ends before the head does (read more). Throws Poco::DataFormatException on bad input.


} // namespace mail
