// journey_text.h - `mail-agent journey`: one message's path as lines of text.
#pragma once

#include "common/journal/journey.h"

#include <string>


namespace mail {


std::string journeyLane(const Poco::JSON::Object::Ptr& event, const std::string& firstServer);
/// The lane of the sequence diagram an event belongs to: client (the submitting client's
/// session), SMTP (the first provider's), DNS, relay, peer SMTP (a later provider's),
/// mailbox, POP3. firstServer: the server that accepted the message first.

std::string formatJourney(const Journey& journey);
/// One line per event in time order: the offset from the first event in ms, the server,
/// the lane and what happened (commands with their replies and ms); then the servers that
/// could not be asked.


} // namespace mail
