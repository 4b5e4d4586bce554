// relay_queue.h - the durable outbound queue (DATA/NAME/queue/) that SMTP writes and relay reads.
#pragma once

#include <string>
#include <vector>


namespace mail {


class RelayQueue
{
public:
	explicit RelayQueue(const std::string& queueDir);

	std::string enqueue(const std::string& sender, const std::vector<std::string>& recipients,
		const std::string& message);
		/// Writes message and envelope durably (tmp -> fsync -> rename -> fsync dir) and wakes
		/// the relay workers. Returns the queue id. Throws Poco::Exception on failure.

private:
	std::string _dir;
};


} // namespace mail
