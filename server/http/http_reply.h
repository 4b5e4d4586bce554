// http_reply.h - the answers every route sends: JSON bodies, JSON errors, security headers.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>


namespace mail {


extern const char* const kContentSecurityPolicy;
/// docs/api.md: same-origin scripts and styles only, no plugins, no base rewriting.

void addSecurityHeaders(Poco::Net::HTTPServerResponse& response);
/// Content-Security-Policy and X-Content-Type-Options: nosniff; set on every answer
/// before its route runs, so no path can forget them.

void addSandbox(Poco::Net::HTTPServerResponse& response);
/// A second Content-Security-Policy: sandbox, for mail content (raw source, HTML parts)
/// a browser would otherwise render with the console's origin.

Poco::JSON::Object::Ptr jsonObject();
/// An object that keeps its keys in insertion order (the order docs/api.md shows).

void sendJson(Poco::Net::HTTPServerResponse& response, const Poco::JSON::Object::Ptr& body,
	Poco::Net::HTTPResponse::HTTPStatus status = Poco::Net::HTTPResponse::HTTP_OK);

void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message);
/// `{"error": {"status": N, "message": "..."}}` with status N.

void sendBody(Poco::Net::HTTPServerResponse& response, const std::string& contentType, const std::string& body);


} // namespace mail
