// journey_command.h - `mail-agent journey MESSAGE-ID`: asks every server's HTTP API of the config.
#pragma once

#include "common/config/config.h"

#include <ostream>
#include <string>


namespace mail {


int runJourney(const Config& config, const std::string& messageId, std::ostream& out, std::ostream& err);
/// Gathers the message's events from each server with an http: port (GET
/// /api/v1/events, following remote_id), prints formatJourney(). Exit 0 when some events
/// were found, 1 when none were.


} // namespace mail
