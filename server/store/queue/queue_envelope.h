// queue_envelope.h - a queued message's envelope (sender, recipient states, times) and its .env text.
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
	std::int64_t size = -1;       ///< octets of the .msg file; -1: not recorded (a version 1 envelope)
	bool held = false;            ///< on hold (`mail-server queue hold`): not tried until released

	bool finished() const; ///< every recipient is Delivered or Bounced
};


std::string formatEnvelope(const QueueEnvelope& envelope);
/// The .env text, version 2: one "key<TAB>value" line per field, one "rcpt" line per
/// recipient, "end" last; values backslash-escape \\, tab, CR and LF.
QueueEnvelope parseEnvelope(const std::string& text);
/// Inverse of formatEnvelope(); also reads version 1 (written before the size line
/// existed: size stays -1). Throws Poco::DataFormatException on bad input.


} // namespace mail
