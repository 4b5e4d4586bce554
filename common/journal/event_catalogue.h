// event_catalogue.h - the one list of journal event types and their fields.
//
// Every place that records an event names its type from here, and docs/api.md's table of
// events is checked against kEventCatalogue by a unit test (event_catalogue_tests), so a
// type or field added in one place and not the other fails the build's tests instead of
// drifting. Both programs that keep a journal use it (mail-server, mail-dns).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>


namespace mail {
namespace events {


inline constexpr char kSessionOpen[] = "session.open";
inline constexpr char kSessionClose[] = "session.close";
inline constexpr char kSmtpHelo[] = "smtp.helo";
inline constexpr char kSmtpTls[] = "smtp.tls";
inline constexpr char kSmtpAuth[] = "smtp.auth";
inline constexpr char kMessageAccepted[] = "message.accepted";
inline constexpr char kMessageDelivered[] = "message.delivered";
inline constexpr char kMessageQueued[] = "message.queued";
inline constexpr char kDnsLookup[] = "dns.lookup";
inline constexpr char kRelayAttempt[] = "relay.attempt";
inline constexpr char kRelayDelivered[] = "relay.delivered";
inline constexpr char kRelayDeferred[] = "relay.deferred";
inline constexpr char kRelayBounced[] = "relay.bounced";
inline constexpr char kDsnCreated[] = "dsn.created";
inline constexpr char kPop3Login[] = "pop3.login";
inline constexpr char kPop3Retr[] = "pop3.retr";
inline constexpr char kPop3Dele[] = "pop3.dele";
inline constexpr char kPop3Expunge[] = "pop3.expunge";
inline constexpr char kImapLogin[] = "imap.login";
inline constexpr char kImapFetch[] = "imap.fetch";
inline constexpr char kImapExpunge[] = "imap.expunge";
inline constexpr char kDnsQuery[] = "dns.query";
inline constexpr char kFaultFired[] = "fault.fired";


} // namespace events


struct EventType
{
	const char* type;
	std::vector<std::string> fields; ///< besides t, seq and server, which every event has; in docs/api.md's order
};


const std::vector<EventType>& eventCatalogue();
/// Every event type, in docs/api.md's order.


} // namespace mail
