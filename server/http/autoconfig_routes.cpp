// autoconfig_routes.cpp - Thunderbird's mail autoconfiguration (clientConfig v1.1) for this provider.
//
// A mail client given only alice@DOMAIN asks http://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml
// (or http://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=...) and gets the hosts,
// ports and TLS modes of the incoming (POP3) and outgoing (SMTP submission) servers.
// These paths answer without the API's basic auth: a client asks before it has any account.
#include "common/mail/mail_address.h"
#include "server/http/http_api.h"
#include "server/http/http_error.h"
#include "server/http/http_reply.h"
#include "server/server_context.h"

#include <Poco/String.h>


namespace mail {


namespace {


struct Protocol
/// One protocol a client may use: its name in the XML, its plain and implicit-TLS ports.
{
	const char* type; ///< incomingServer/outgoingServer type attribute
	std::uint16_t ServerConfig::*plain;
	std::uint16_t ServerConfig::*implicitTls;
};

// Incoming protocols in the order a client should prefer them: IMAP (listed only when the
// server has imap/imaps ports), then POP3.
const Protocol Incoming[] = {{"imap", &ServerConfig::imap, &ServerConfig::imaps}, {"pop3", &ServerConfig::pop, &ServerConfig::pops}};
const Protocol Outgoing = {"smtp", &ServerConfig::smtp, &ServerConfig::smtps};


std::string xmlEscape(const std::string& text)
{
	std::string out;
	for (const char c: text)
	{
		switch (c)
		{
		case '&': out += "&amp;"; break;
		case '<': out += "&lt;"; break;
		case '>': out += "&gt;"; break;
		case '"': out += "&quot;"; break;
		default: out += c;
		}
	}
	return out;
}


std::string serverElement(const char* element, const char* type, const std::string& host, std::uint16_t port,
	const char* socketType)
{
	return std::string("    <") + element + " type=\"" + type + "\">\n" + "      <hostname>" + xmlEscape(host)
		+ "</hostname>\n" + "      <port>" + std::to_string(port) + "</port>\n" + "      <socketType>" + socketType
		+ "</socketType>\n" + "      <authentication>password-cleartext</authentication>\n"
		+ "      <username>%EMAILADDRESS%</username>\n" + "    </" + element + ">\n";
}


std::string serverElements(const char* element, const Protocol& protocol, const ServerConfig& server,
	const std::string& host, bool tls)
/// Implicit TLS first (RFC 8314 prefers it), then the plain port with STARTTLS when the
/// server has a certificate, plain otherwise.
{
	std::string out;
	if (tls && server.*protocol.implicitTls)
		out += serverElement(element, protocol.type, host, server.*protocol.implicitTls, "SSL");
	if (server.*protocol.plain)
		out += serverElement(element, protocol.type, host, server.*protocol.plain, tls ? "STARTTLS" : "plain");
	return out;
}


std::string hostFor(const ServerConfig& server, const Poco::Net::HTTPServerRequest& request)
/// The address the mail ports listen on; for a server on every address (0.0.0.0), the
/// host the client reached this HTTP server by.
{
	if (server.address != "0.0.0.0") return server.address;
	std::string host = request.getHost();
	const std::size_t colon = host.rfind(':');
	if (colon != std::string::npos && host.find(']') == std::string::npos) host.erase(colon);
	return host.empty() ? "127.0.0.1" : host;
}


void answer(RouteRequest& request, Poco::Net::HTTPServerResponse& response, const ServerContext& context)
{
	const std::shared_ptr<const ServerConfig> server = context.current();
	if (server->domains.empty()) throw HttpError(404, "this server has no mail domain");
	std::string domain = server->domains.front();
	const std::string address = request.query("emailaddress");
	if (!address.empty())
	{
		const std::string asked = Poco::toLower(domainOf(address));
		if (!server->isLocalDomain(asked)) throw HttpError(404, "not a domain of this server: " + asked);
		domain = asked;
	}
	const std::string host = hostFor(*server, request.http);
	const bool tls = !context.tls.isNull();
	std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n";
	xml += "  <emailProvider id=\"" + xmlEscape(domain) + "\">\n";
	for (const auto& own: server->domains) xml += "    <domain>" + xmlEscape(own) + "</domain>\n";
	xml += "    <displayName>" + xmlEscape(domain) + " (mail-server " + xmlEscape(server->name) + ")</displayName>\n";
	xml += "    <displayShortName>" + xmlEscape(domain) + "</displayShortName>\n";
	for (const auto& protocol: Incoming) xml += serverElements("incomingServer", protocol, *server, host, tls);
	xml += serverElements("outgoingServer", Outgoing, *server, host, tls);
	xml += "  </emailProvider>\n</clientConfig>\n";
	sendBody(response, "application/xml; charset=utf-8", xml);
}


} // namespace


bool isAutoconfigPath(const std::string& path)
{
	return path == "/.well-known/autoconfig/mail/config-v1.1.xml" || path == "/mail/config-v1.1.xml";
}


void registerAutoconfigRoutes(HttpRouter& router, HttpApi& api)
{
	ServerContext& context = api.context;
	const auto handler = [&context](RouteRequest& request, Poco::Net::HTTPServerResponse& response) {
		answer(request, response, context);
	};
	router.add("GET", "/.well-known/autoconfig/mail/config-v1.1.xml", handler);
	router.add("GET", "/mail/config-v1.1.xml", handler);
}


} // namespace mail
