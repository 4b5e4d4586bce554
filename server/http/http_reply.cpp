// http_reply.cpp - the answers every route sends: JSON bodies, JSON errors, security headers.
#include "server/http/http_reply.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>


namespace mail {


const char* const kContentSecurityPolicy =
	"default-src 'self'; frame-src 'self'; img-src 'self' data:; "
	"style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";


void addSecurityHeaders(Poco::Net::HTTPServerResponse& response)
{
	response.set("Content-Security-Policy", kContentSecurityPolicy);
	response.set("X-Content-Type-Options", "nosniff");
	response.set("Cache-Control", "no-store");
}


void addSandbox(Poco::Net::HTTPServerResponse& response)
{
	response.add("Content-Security-Policy", "sandbox");
}


Poco::JSON::Object::Ptr jsonObject()
{
	return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}


void sendJson(Poco::Net::HTTPServerResponse& response, const Poco::JSON::Object::Ptr& body,
	Poco::Net::HTTPResponse::HTTPStatus status)
{
	std::ostringstream text;
	Poco::JSON::Stringifier::stringify(body, text);
	text << "\n";
	response.setStatus(status);
	sendBody(response, "application/json; charset=utf-8", text.str());
}


void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message)
{
	Poco::JSON::Object::Ptr error = jsonObject();
	error->set("status", status);
	error->set("message", message);
	Poco::JSON::Object::Ptr body = jsonObject();
	body->set("error", error);
	sendJson(response, body, static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}


void sendBody(Poco::Net::HTTPServerResponse& response, const std::string& contentType, const std::string& body)
{
	response.setContentType(contentType);
	response.setContentLength(static_cast<std::streamsize>(body.size()));
	response.send() << body;
}


} // namespace mail
