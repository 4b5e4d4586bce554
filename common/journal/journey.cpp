// journey.cpp - gathering one message's events from every server and following remote_id.
#include "common/journal/journey.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>


namespace mail {


namespace {


constexpr int kMaxHops = 8; ///< remote_id rounds: more providers than any topology here chains


std::string text(const Poco::JSON::Object::Ptr& event, const char* key)
{
	return event->has(key) && !event->isNull(key) ? event->getValue<std::string>(key) : std::string();
}


std::int64_t number(const Poco::JSON::Object::Ptr& event, const char* key)
{
	return event->has(key) ? event->getValue<std::int64_t>(key) : 0;
}


std::string quoted(const std::string& value)
{
	std::ostringstream out;
	Poco::JSON::Stringifier::formatString(value, out);
	return out.str();
}


} // namespace


std::string normalizeMessageId(const std::string& id)
{
	std::string trimmed = Poco::trim(id);
	if (trimmed.empty() || trimmed.front() == '<') return trimmed;
	return "<" + trimmed + ">";
}


Journey gatherJourney(const std::string& messageId, const std::vector<JourneySource>& sources,
	const std::string& queueId)
{
	Journey journey;
	journey.messageId = messageId;
	std::vector<bool> failed(sources.size(), false);
	std::set<std::pair<std::string, std::int64_t>> seen; // (server, seq)
	const auto ask = [&](std::size_t i, const std::string& byMessage, const std::string& byQueue) {
		if (failed[i]) return;
		try
		{
			for (const auto& event: sources[i].fetch(byMessage, byQueue))
			{
				if (seen.insert({text(event, "server"), number(event, "seq")}).second) journey.events.push_back(event);
			}
		}
		catch (const std::exception& exc)
		{
			failed[i] = true;
			journey.servers[i].ok = false;
			journey.servers[i].error = exc.what();
		}
	};
	for (const auto& source: sources) journey.servers.push_back(JourneyServer{source.server, true, {}});
	for (std::size_t i = 0; i < sources.size(); ++i) ask(i, messageId, messageId.empty() ? queueId : "");

	std::set<std::string> followed;
	for (int hop = 0; hop < kMaxHops; ++hop)
	{
		std::set<std::string> queueIds, next;
		for (const auto& event: journey.events) queueIds.insert(text(event, "queue_id"));
		for (const auto& event: journey.events)
		{
			const std::string remote = text(event, "remote_id");
			if (!remote.empty() && !queueIds.count(remote) && followed.insert(remote).second) next.insert(remote);
		}
		if (next.empty()) break;
		for (const std::string& queueId: next)
		{
			for (std::size_t i = 0; i < sources.size(); ++i) ask(i, "", queueId);
		}
	}
	std::stable_sort(journey.events.begin(), journey.events.end(), [](const auto& a, const auto& b) {
		const auto ka = std::make_tuple(number(a, "t"), text(a, "server"), number(a, "seq"));
		const auto kb = std::make_tuple(number(b, "t"), text(b, "server"), number(b, "seq"));
		return ka < kb;
	});
	return journey;
}


std::string Journey::toJson() const
{
	std::ostringstream out;
	out << "{\"message_id\":" << quoted(messageId) << ",\"events\":[";
	for (std::size_t i = 0; i < events.size(); ++i)
	{
		if (i > 0) out << ',';
		events[i]->stringify(out);
	}
	out << "],\"servers\":[";
	for (std::size_t i = 0; i < servers.size(); ++i)
	{
		if (i > 0) out << ',';
		out << "{\"server\":" << quoted(servers[i].server) << ",\"ok\":" << (servers[i].ok ? "true" : "false");
		if (!servers[i].ok) out << ",\"error\":" << quoted(servers[i].error);
		out << '}';
	}
	out << "]}";
	return out.str();
}


EventFetch httpEventFetch(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout)
{
	return [host, port, timeout](const std::string& messageId, const std::string& queueId) {
		Poco::URI uri("/api/v1/events");
		if (!messageId.empty()) uri.addQueryParameter("message_id", messageId);
		if (!queueId.empty()) uri.addQueryParameter("queue_id", queueId);
		uri.addQueryParameter("limit", "1000");
		std::vector<Poco::JSON::Object::Ptr> events;
		try
		{
			Poco::Net::HTTPClientSession session(host, port);
			session.setTimeout(Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
			Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.toString(), Poco::Net::HTTPMessage::HTTP_1_1);
			session.sendRequest(request);
			Poco::Net::HTTPResponse response;
			std::istream& in = session.receiveResponse(response);
			std::string body;
			Poco::StreamCopier::copyToString(in, body);
			if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
				throw std::runtime_error("HTTP " + std::to_string(static_cast<int>(response.getStatus())) + " from " + host + ":" + std::to_string(port));
			const auto root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
			const auto list = root->getArray("events");
			for (std::size_t i = 0; list && i < list->size(); ++i) events.push_back(list->getObject(static_cast<unsigned>(i)));
		}
		catch (const Poco::Exception& exc)
		{
			throw std::runtime_error(host + ":" + std::to_string(port) + ": " + exc.displayText());
		}
		return events;
	};
}


} // namespace mail
