// http_service.cpp - the JSON API's listener: Poco::Net::HTTPServer dispatching to an HttpRouter.
#include "server/http/http_service.h"

#include "common/mail/password_hash.h"
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/server_context.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>


namespace mail {


namespace {


class Dispatcher: public Poco::Net::HTTPRequestHandler
/// One request: headers, auth, routing, the route, and a JSON error for whatever fails.
{
public:
	Dispatcher(const ServerContext& context, const HttpRouter& router):
		_context(context),
		_router(router),
		_log(Poco::Logger::get("http"))
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		addSecurityHeaders(response);
		int status = 0;
		try
		{
			status = dispatch(request, response);
		}
		catch (const HttpError& exc)
		{
			status = exc.status;
			if (!response.sent()) sendError(response, exc.status, exc.what());
		}
		catch (const Poco::Exception& exc)
		{
			status = 500;
			_log.error("- http request failed uri=\"%s\" error=%s", request.getURI(), exc.displayText());
			if (!response.sent()) sendError(response, 500, "internal error");
		}
		catch (const std::exception& exc)
		{
			status = 500;
			_log.error("- http request failed uri=\"%s\" error=%s", request.getURI(), std::string(exc.what()));
			if (!response.sent()) sendError(response, 500, "internal error");
		}
		if (_log.debug())
			_log.debug("- http %s \"%s\" status=%d peer=%s", request.getMethod(), request.getURI(), status,
				request.clientAddress().toString());
	}

private:
	int dispatch(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
	{
		const std::shared_ptr<const ServerConfig> server = _context.current();
		const std::string& uri = request.getURI();
		const std::size_t mark = uri.find('?');
		const std::string rawPath = uri.substr(0, mark);
		if (!server->http.users.empty() && !isAutoconfigPath(rawPath) && !authorized(request, server->http.users))
		{
			response.set("WWW-Authenticate", "Basic realm=\"mail-server " + server->name + "\", charset=\"UTF-8\"");
			throw HttpError(401, "authentication required");
		}
		if (rawPath.empty() || rawPath.front() != '/') throw HttpError(400, "expected an absolute path");
		HttpRouter::Match match = _router.match(request.getMethod(), rawPath);
		if (match.status == 405) response.set("Allow", match.allow);
		if (!match.handler)
			throw HttpError(match.status, match.status == 405 ? request.getMethod() + " not allowed on " + rawPath : "no such path " + rawPath);
		Poco::URI::QueryParameters query;
		try
		{
			query = Poco::URI(mark == std::string::npos ? "/" : "/?" + uri.substr(mark + 1)).getQueryParameters();
		}
		catch (const Poco::SyntaxException&)
		{
			throw HttpError(400, "bad query string");
		}
		RouteRequest routeRequest(request, std::move(match.params), std::move(query));
		(*match.handler)(routeRequest, response);
		return response.getStatus();
	}

	static bool authorized(const Poco::Net::HTTPServerRequest& request, const std::map<std::string, std::string>& users)
	{
		if (!request.hasCredentials()) return false;
		try
		{
			const Poco::Net::HTTPBasicCredentials credentials(request);
			const auto user = users.find(credentials.getUsername());
			return user != users.end() && verifyPassword(user->second, credentials.getPassword());
		}
		catch (const Poco::Net::NotAuthenticatedException&)
		{
			return false; // not Basic, or not base64
		}
		catch (const Poco::SyntaxException&)
		{
			return false;
		}
	}

	const ServerContext& _context;
	const HttpRouter& _router;
	Poco::Logger& _log;
};


class DispatcherFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	DispatcherFactory(const ServerContext& context, const HttpRouter& router):
		_context(context), _router(router) {}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new Dispatcher(_context, _router);
	}

private:
	const ServerContext& _context;
	const HttpRouter& _router;
};


} // namespace


HttpService::HttpService(const ServerContext& context, const HttpRouter& router):
	_context(context),
	_router(router),
	_pool("http", 2, kMaxThreads)
{
}


HttpService::~HttpService()
{
	stop();
}


void HttpService::start()
{
	const ServerConfig& server = _context.server; // as started: the port and address need a restart
	Poco::Net::ServerSocket socket;
	socket.bind(Poco::Net::SocketAddress(server.http.address, server.http.port), true);
	socket.listen(kMaxQueued);
	_port = socket.address().port();
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(kMaxThreads);
	params->setMaxQueued(kMaxQueued);
	params->setTimeout(Poco::Timespan(30, 0)); // a client that stops sending mid-request
	params->setKeepAlive(true);
	params->setKeepAliveTimeout(Poco::Timespan(10, 0));
	params->setMaxKeepAliveRequests(1000);
	params->setServerName("mail-server " + server.name);
	_http = std::make_unique<Poco::Net::HTTPServer>(new DispatcherFactory(_context, _router), _pool, socket, params);
	_http->start();
	Poco::Logger::get("http").information("- listening protocol=http address=%s:%hu auth=%b", server.http.address, _port,
		!server.http.users.empty());
}


void HttpService::stop()
{
	if (!_http) return;
	_http->stopAll(true);
	_pool.joinAll();
	_http.reset();
}


std::uint16_t HttpService::port() const
{
	return _port;
}


} // namespace mail
