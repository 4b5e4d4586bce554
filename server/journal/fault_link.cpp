// fault_link.cpp - linking a refused attempt to the message accepted at the retry.
#include "server/journal/fault_link.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>


namespace mail {


namespace {


Poco::JSON::Object::Ptr parsed(const StoredEvent& e)
{
	return Poco::JSON::Parser().parse(e.json).extract<Poco::JSON::Object::Ptr>();
}


std::vector<std::string> strings(const Poco::JSON::Object::Ptr& o, const std::string& key)
{
	std::vector<std::string> out;
	if (const Poco::JSON::Array::Ptr a = o->getArray(key))
		for (std::size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(i));
	return out;
}


/// "127.0.0.1:4711" -> "127.0.0.1" (message.accepted names the peer with its port).
std::string hostOf(const std::string& peer)
{
	const std::size_t colon = peer.rfind(':');
	return colon == std::string::npos ? peer : peer.substr(0, colon);
}


} // namespace


bool refusedEarlier(const StoredEvent& fault, const std::vector<StoredEvent>& accepted)
{
	if (fault.type != "fault.fired" || accepted.empty()) return false;
	const Poco::JSON::Object::Ptr f = parsed(fault);
	const std::string sender = f->optValue<std::string>("sender", "");
	const std::string client = f->optValue<std::string>("client", "");
	const std::vector<std::string> to = strings(f, "to");
	for (const StoredEvent& a: accepted)
	{
		// Recorded before the message (seq, not t: two events can share a microsecond).
		if (a.seq < fault.seq) continue;
		const Poco::JSON::Object::Ptr m = parsed(a);
		if (m->optValue<std::string>("from", "") != sender || hostOf(m->optValue<std::string>("peer", "")) != client) continue;
		const std::vector<std::string> mine = strings(m, "to");
		if (std::all_of(to.begin(), to.end(), [&](const std::string& r) { return std::count(mine.begin(), mine.end(), r) > 0; }))
			return true;
	}
	return false;
}


} // namespace mail
