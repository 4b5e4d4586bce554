// server_journal.cpp - the journal of one mail-server.
#include "server/journal/server_journal.h"

#include "common/journal/journal_file.h"


namespace mail {


std::string journalPath(const std::string& dataDir)
{
	return dataDir + "/events.jsonl";
}


std::unique_ptr<Journal> openJournal(const ServerConfig& server, const std::string& dataDir)
{
	if (server.journal.keep == 0) return nullptr;
	return std::make_unique<Journal>(server.name, server.journal.keep, std::make_unique<JournalFile>(journalPath(dataDir)));
}


} // namespace mail
