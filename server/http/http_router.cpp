// http_router.cpp - method + path pattern with `{param}` segments -> route handler.
#include "server/http/http_router.h"

#include "server/http/http_error.h"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>

#include <set>
#include <stdexcept>


namespace mail {


namespace {


bool isParameter(const std::string& segment)
{
	return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}


void checkSegment(const std::string& segment)
/// Every id and address reaches a file name through a segment: none may climb or cross
/// directories, whatever escape spelled it.
{
	if (segment.find("..") != std::string::npos) throw HttpError(400, "path segment with '..'");
	if (segment.find('/') != std::string::npos) throw HttpError(400, "path segment with '/'");
	if (segment.find('\\') != std::string::npos) throw HttpError(400, "path segment with '\\'");
	if (segment.find('\0') != std::string::npos) throw HttpError(400, "path segment with NUL");
}


} // namespace


RouteRequest::RouteRequest(
	Poco::Net::HTTPServerRequest& http, std::map<std::string, std::string> params, Poco::URI::QueryParameters query):
	http(http),
	_params(std::move(params)),
	_query(std::move(query))
{
}


const std::string& RouteRequest::param(const std::string& name) const
{
	return _params.at(name);
}


std::string RouteRequest::query(const std::string& name, const std::string& fallback) const
{
	std::string value = fallback;
	for (const auto& item: _query)
	{
		if (item.first == name) value = item.second;
	}
	return value;
}


long RouteRequest::queryNumber(const std::string& name, long fallback, long min, long max) const
{
	const std::string text = query(name);
	if (text.empty()) return fallback;
	long value = 0;
	try
	{
		value = static_cast<long>(Poco::NumberParser::parse64(text));
	}
	catch (const Poco::SyntaxException&)
	{
		throw HttpError(400, name + ": expected a whole number, got '" + text + "'");
	}
	if (value < min || value > max)
		throw HttpError(400, name + ": must be between " + std::to_string(min) + " and " + std::to_string(max));
	return value;
}


std::vector<std::string> HttpRouter::patternSegments(const std::string& pattern)
{
	if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
	std::vector<std::string> segments;
	std::size_t start = 1;
	while (start <= pattern.size())
	{
		std::size_t end = pattern.find('/', start);
		if (end == std::string::npos) end = pattern.size();
		if (end > start) segments.push_back(pattern.substr(start, end - start));
		start = end + 1;
	}
	return segments;
}


void HttpRouter::add(const std::string& method, const std::string& pattern, RouteHandler handler)
{
	Route route{method, patternSegments(pattern), std::move(handler)};
	for (const auto& other: _routes)
	{
		if (other.method == method && other.segments == route.segments)
			throw std::invalid_argument(std::string("route added twice: ").append(method).append(" ").append(pattern));
	}
	_routes.push_back(std::move(route));
}


std::vector<std::string> HttpRouter::splitPath(const std::string& rawPath)
{
	std::vector<std::string> segments;
	std::size_t start = 0;
	while (start <= rawPath.size())
	{
		std::size_t end = rawPath.find('/', start);
		if (end == std::string::npos) end = rawPath.size();
		if (end > start)
		{
			// Decoded one segment at a time, so an escaped "%2F" stays inside its
			// segment and is refused there rather than splitting the path.
			std::string decoded;
			try
			{
				Poco::URI::decode(rawPath.substr(start, end - start), decoded);
			}
			catch (const Poco::SyntaxException&)
			{
				throw HttpError(400, "bad percent-escape in the path");
			}
			checkSegment(decoded);
			segments.push_back(decoded);
		}
		start = end + 1;
	}
	return segments;
}


HttpRouter::Match HttpRouter::match(const std::string& method, const std::string& rawPath) const
{
	const std::vector<std::string> path = splitPath(rawPath);
	Match result;
	result.status = 404;
	std::set<std::string> allowed;
	for (const auto& route: _routes)
	{
		if (route.segments.size() != path.size()) continue;
		std::map<std::string, std::string> params;
		bool same = true;
		for (std::size_t i = 0; same && i < path.size(); ++i)
		{
			const std::string& want = route.segments[i];
			if (isParameter(want)) params[want.substr(1, want.size() - 2)] = path[i];
			else same = want == path[i];
		}
		if (!same) continue;
		if (route.method != method && !(method == "HEAD" && route.method == "GET"))
		{
			allowed.insert(route.method);
			continue;
		}
		result.handler = &route.handler;
		result.params = std::move(params);
		result.status = 200;
		return result;
	}
	if (!allowed.empty())
	{
		result.status = 405;
		for (const auto& m: allowed) result.allow += (result.allow.empty() ? "" : ", ") + m;
	}
	return result;
}


} // namespace mail
