// seconds.h - the duration type of every timeout and retry interval in the config.
#pragma once

#include <chrono>


namespace mail {


using Seconds = std::chrono::seconds;
/// Config durations are whole seconds ("30s", "5m", "2h", "5d"; see parseDuration()).


} // namespace mail
