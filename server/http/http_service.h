// http_service.h - the JSON API's listener: Poco::Net::HTTPServer dispatching to an HttpRouter.
#pragma once

#include "server/http/http_router.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <cstdint>
#include <memory>


namespace mail {


struct ServerContext;


class HttpService
/// Listens on http.address:http.port (never the server's own address: loopback unless
/// the config says otherwise) with a bounded pool and queue. Every answer gets the
/// security headers; with http.users every request needs basic auth (the users of the
/// configuration now: they follow SIGHUP, the port and address need a restart); paths
/// are split, decoded and validated by the router before any route runs; errors are JSON.
{
public:
	static constexpr int kMaxThreads = 16; ///< long waits (?wait=N) each hold one for at most 60s
	static constexpr int kMaxQueued = 64;  ///< then Poco drops the connection

	HttpService(const ServerContext& context, const HttpRouter& router);
	~HttpService(); ///< stops, as stop() does

	HttpService(const HttpService&) = delete;
	HttpService& operator=(const HttpService&) = delete;

	void start();               ///< binds and serves; throws Poco::Exception when it cannot bind
	void stop();                ///< stops accepting and aborts idle keep-alive connections
	std::uint16_t port() const; ///< the bound port (0 before start)

private:
	const ServerContext& _context;
	const HttpRouter& _router;
	Poco::ThreadPool _pool;
	std::unique_ptr<Poco::Net::HTTPServer> _http;
	std::uint16_t _port = 0;
};


} // namespace mail
