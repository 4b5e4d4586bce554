// query_journal.h - mail-dns's dns.query events: sampled so the journal never slows the answers.
//
// mail-dns has no data directory and no HTTP API: its events stay in memory (the last
// journal.keep of the config's top level) and go to a file only with --journal FILE.
// A worker records after it has sent its batch (the TCP thread when it queues an answer),
// and at most kPerSecond queries per worker per second (a token bucket per thread): under
// a benchmark's load the rest are not recorded at all (counted in sampledOut()).
#pragma once

#include "common/journal/journal.h"

#include <sys/socket.h>

#include <atomic>
#include <cstdint>


namespace mail {
namespace dns {


class QueryJournal
/// Thread-safe (the bucket is per thread).
{
public:
	static constexpr unsigned kPerSecond = 200;

	explicit QueryJournal(Journal& journal);

	void record(const std::uint8_t* reply, std::size_t length, const sockaddr_storage& client, const char* transport);
	/// One dns.query from the reply sent (question, rcode, answers) and the client's address,
	/// if this thread's bucket has room (else counted in sampledOut()).

	std::size_t admit(std::size_t replies);
	/// For a batch: how many of its replies this thread may record now (the first ones, each
	/// then given to recordAdmitted()); the rest are counted with one atomic add, so two
	/// workers do not bounce a shared counter for every datagram under load.
	void recordAdmitted(const std::uint8_t* reply, std::size_t length, const sockaddr_storage& client, const char* transport);

	std::uint64_t sampledOut() const { return _sampledOut.load(std::memory_order_relaxed); }

private:
	Journal& _journal;
	std::atomic<std::uint64_t> _sampledOut{0};
};


} // namespace dns
} // namespace mail
