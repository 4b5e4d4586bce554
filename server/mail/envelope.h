// envelope.h - the accepted message's envelope: its one id, the sender, and each recipient
// with the route decided when the recipient was accepted.
//
// SMTP RCPT decides local, remote or refused once, from the session's configuration
// snapshot, and the route travels with the recipient: delivery does not ask again, so a
// SIGHUP between RCPT and the final dot cannot send a recipient elsewhere than the
// reply to its RCPT promised.
#pragma once

#include <string>
#include <vector>


namespace mail {


struct DeliveryRoute
/// Where mail for one address goes.
{
	enum class Kind
	{
		Local,  ///< one of our accounts: stored in its Maildir
		Remote, ///< not one of our domains: queued for the relay
		Refused ///< one of our domains but no such account
	};

	Kind kind = Kind::Refused;
	std::string account; ///< Local: the account key as written in the config (the Maildir name)
	int code = 0;        ///< Refused: the SMTP reply code (550)
	std::string reason;  ///< Refused: the reply text, enhanced status code first
};


struct RoutedRecipient
/// One accepted recipient and where it goes, as decided at RCPT.
{
	std::string address; ///< as written in RCPT
	DeliveryRoute route;
};


std::string newEnvelopeId();
/// A new message id: 16 hex digits (seconds, microseconds, a counter), ordered by time
/// within a process and unique across restarts.


struct Envelope
/// One accepted message's envelope.
{
	std::string id;     ///< minted at acceptance: the 250 reply, the queue file, the Maildir name, every event
	std::string sender; ///< empty: the null reverse-path
	std::vector<RoutedRecipient> recipients;

	std::vector<std::string> addresses() const
	{
		std::vector<std::string> out;
		out.reserve(recipients.size());
		for (const auto& r: recipients) out.push_back(r.address);
		return out;
	}
};


} // namespace mail
