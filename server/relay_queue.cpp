// relay_queue.cpp - placeholder until the relay issue lands.
#include "relay_queue.h"

#include <Poco/Exception.h>


namespace mail {


RelayQueue::RelayQueue(const std::string& queueDir): _dir(queueDir) {}
std::string RelayQueue::enqueue(const std::string&, const std::vector<std::string>&, const std::string&)
{
	throw Poco::NotImplementedException("relay queue");
}


} // namespace mail
