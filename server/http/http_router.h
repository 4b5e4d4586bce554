// http_router.h - method + path pattern with `{param}` segments -> route handler.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <functional>
#include <map>
#include <string>
#include <vector>


namespace mail {


class RouteRequest
/// What a handler gets: the Poco request, the decoded `{param}` segments of its pattern
/// and the decoded query parameters.
{
public:
	RouteRequest(Poco::Net::HTTPServerRequest& http, std::map<std::string, std::string> params,
		Poco::URI::QueryParameters query);

	Poco::Net::HTTPServerRequest& http;

	const std::string& param(const std::string& name) const;
	/// A `{name}` segment of the pattern (percent-decoded and validated). Throws
	/// std::out_of_range for a name the pattern lacks (a programming error).
	std::string query(const std::string& name, const std::string& fallback = "") const;
	/// The last value of a query parameter, or fallback when absent.
	long queryNumber(const std::string& name, long fallback, long min, long max) const;
	/// A whole-number query parameter in [min, max]; HttpError 400 otherwise.

private:
	std::map<std::string, std::string> _params;
	Poco::URI::QueryParameters _query;
};


using RouteHandler = std::function<void(RouteRequest&, Poco::Net::HTTPServerResponse&)>;


class HttpRouter
/// Routes are added at start (before the server runs) and only read afterwards, so
/// matching needs no lock. A pattern is a path of literal and `{name}` segments,
/// e.g. `/api/v1/messages/{id}/parts/{n}`; a `{name}` matches one non-empty segment.
{
public:
	struct Match
	{
		const RouteHandler* handler = nullptr;     ///< null: see status
		std::map<std::string, std::string> params; ///< decoded `{name}` segments
		int status = 200;                          ///< 404 no path, 405 path but not method
		std::string allow;                         ///< for 405: the methods the path has
	};

	void add(const std::string& method, const std::string& pattern, RouteHandler handler);
	/// Throws std::invalid_argument for a pattern not starting with '/' or one added twice.

	Match match(const std::string& method, const std::string& rawPath) const;
	/// rawPath as on the request line, without the query. Throws HttpError 400 for a
	/// segment that after percent-decoding holds `..`, `/`, `\` or NUL, or bad escapes.

	static std::vector<std::string> splitPath(const std::string& rawPath);
	/// "/a/b%20c/" -> {"a", "b c"} (empty segments dropped), with match()'s 400s.

private:
	struct Route
	{
		std::string method;
		std::vector<std::string> segments; ///< "{name}" for a parameter
		RouteHandler handler;
	};

	static std::vector<std::string> patternSegments(const std::string& pattern);

	std::vector<Route> _routes;
};


} // namespace mail
