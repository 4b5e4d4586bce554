// fault_link.h - which fault.fired events belong to a message a server accepted later.
#pragma once

#include "common/journal/journal.h"

#include <vector>


namespace mail {


bool refusedEarlier(const StoredEvent& fault, const std::vector<StoredEvent>& accepted);
/// True when `fault` is a fault.fired event that came before one of the `accepted`
/// (message.accepted) events from the same client address, with the same sender and
/// only recipients that message has: an earlier attempt at that message, refused before
/// DATA, when the server could not yet name it (no Message-ID until the data), such as
/// the first, greylisted attempt.


} // namespace mail
