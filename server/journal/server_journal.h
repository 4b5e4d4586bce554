// server_journal.h - the journal of one mail-server: DATA/NAME/events.jsonl and journal.keep.
#pragma once

#include "common/config/config.h"
#include "common/journal/journal.h"

#include <memory>
#include <string>


namespace mail {


std::string journalPath(const std::string& dataDir); ///< DATA/NAME/events.jsonl

std::unique_ptr<Journal> openJournal(const ServerConfig& server, const std::string& dataDir);
/// The journal of journal.keep events writing to journalPath() (rotated at
/// JournalFile::kDefaultMaxBytes to events.jsonl.1), or null when journal.keep is 0:
/// then no events are built or written at all. Throws Poco::FileException when the
/// file cannot be opened.


} // namespace mail
