// journey_text.cpp - one message's path as text: offset, server, lane, what happened.
#include "agent/journey_text.h"

#include <Poco/JSON/Array.h>

#include <cstdio>
#include <sstream>


namespace mail {


namespace {


std::string text(const Poco::JSON::Object::Ptr& e, const char* key)
{
	if (!e->has(key) || e->isNull(key)) return {};
	return e->get(key).convert<std::string>();
}


std::string list(const Poco::JSON::Object::Ptr& e, const char* key)
{
	const auto values = e->getArray(key);
	std::string out;
	for (std::size_t i = 0; values && i < values->size(); ++i)
		out += (i ? "," : "") + values->getElement<std::string>(static_cast<unsigned>(i));
	return out;
}


std::string ms(const Poco::JSON::Object::Ptr& e)
{
	return e->has("ms") ? " (" + text(e, "ms") + " ms)" : "";
}


std::string describe(const Poco::JSON::Object::Ptr& e)
{
	std::string type = text(e, "type");
	if (type == "session.open") return "connect from " + text(e, "peer") + (text(e, "tls") == "true" ? " (TLS)" : "");
	if (type == "session.close") return "close: " + text(e, "reason") + ms(e);
	if (type == "smtp.helo") return (text(e, "esmtp") == "true" ? "EHLO " : "HELO ") + text(e, "helo");
	if (type == "smtp.tls") return "TLS " + text(e, "version") + " " + text(e, "cipher");
	if (type == "smtp.auth" || type == "pop3.login")
		return (type == "smtp.auth" ? "AUTH " : "login ") + text(e, "mechanism") + " " + text(e, "user") + (text(e, "ok") == "true" ? " ok" : " refused");
	if (type == "message.accepted")
		return "accepted MAIL FROM:<" + text(e, "from") + "> RCPT TO:<" + list(e, "to") + "> " + text(e, "size") + " octets -> " + text(e, "reply");
	if (type == "message.delivered") return "stored in " + text(e, "mailbox") + " as " + text(e, "file");
	if (type == "message.queued") return "queued for relay to " + list(e, "to");
	if (type == "dns.lookup")
		return text(e, "qtype") + " " + text(e, "name") + " -> " + (list(e, "answer").empty() ? text(e, "rcode") : list(e, "answer")) + " @" + text(e, "dns_server") + (text(e, "cached") == "true" ? " cached" : "") + ms(e);
	if (type == "relay.attempt")
		return "to " + text(e, "exchanger") + " " + text(e, "address") + (text(e, "reused") == "true" ? " (reused)" : "") + " -> " + text(e, "reply") + ms(e);
	if (type == "relay.delivered") return "delivered to " + list(e, "to") + ": " + text(e, "reply");
	if (type == "relay.deferred") return "deferred " + list(e, "to") + ": " + text(e, "reply");
	if (type == "relay.bounced") return "bounced " + list(e, "to") + " " + text(e, "status") + ": " + text(e, "reply");
	if (type == "dsn.created") return "DSN " + text(e, "dsn_message_id") + " to " + list(e, "to");
	if (type == "pop3.retr") return "RETR by " + text(e, "user") + " (" + text(e, "size") + " octets, " + text(e, "file") + ")";
	if (type == "pop3.dele") return "DELE by " + text(e, "user") + " (" + text(e, "file") + ")";
	if (type == "pop3.expunge") return "QUIT: removed " + list(e, "files");
	if (type == "imap.fetch") return "IMAP FETCH by " + text(e, "user") + " (" + text(e, "size") + " octets, " + text(e, "file") + ")";
	if (type == "imap.expunge") return "IMAP EXPUNGE: removed " + list(e, "files");
	if (type == "fault.fired")
		return "fault rule " + text(e, "rule") + " fired at " + text(e, "stage") + ": " + text(e, "action") + " (from " + text(e, "client") + ", MAIL FROM:<" + text(e, "sender") + "> RCPT TO:<" + list(e, "to") + ">)";
	return type;
}


} // namespace


std::string journeyLane(const Poco::JSON::Object::Ptr& e, const std::string& firstServer)
{
	const std::string type = text(e, "type");
	const bool first = text(e, "server") == firstServer;
	if (type.rfind("pop3.", 0) == 0 || (type.rfind("session.", 0) == 0 && text(e, "protocol") == "pop3"))
		return "POP3";
	if (type == "dns.lookup" || type == "dns.query") return "DNS";
	if (type == "message.queued" || type.rfind("relay.", 0) == 0 || type == "dsn.created") return "relay";
	if (type == "message.delivered") return "mailbox";
	if (type == "message.accepted") return first ? "SMTP" : "peer SMTP";
	return first ? "client" : "peer SMTP"; // the session's own steps: what the client did
}


std::string formatJourney(const Journey& journey)
{
	std::ostringstream out;
	out << "journey of " << journey.messageId << "\n";
	std::string firstServer;
	for (const auto& e: journey.events)
	{
		if (text(e, "type") == "message.accepted")
		{
			firstServer = text(e, "server");
			break;
		}
	}
	const std::int64_t start = journey.events.empty() ? 0 : journey.events.front()->getValue<std::int64_t>("t");
	for (const auto& e: journey.events)
	{
		char offset[32];
		std::snprintf(offset, sizeof offset, "%+10.3f", static_cast<double>(e->getValue<std::int64_t>("t") - start) / 1000.0);
		out << offset << " ms  " << text(e, "server") << "  [" << journeyLane(e, firstServer) << "]  " << describe(e) << "\n";
		const auto commands = e->getArray("commands");
		for (std::size_t i = 0; commands && i < commands->size(); ++i)
		{
			const auto c = commands->getObject(static_cast<unsigned>(i));
			out << "               > " << text(c, "c") << "  < " << text(c, "r") << " (" << text(c, "ms") << " ms)\n";
		}
	}
	if (journey.events.empty()) out << "no events for this message (check the Message-ID, and that the servers have http: ports)\n";
	for (const auto& server: journey.servers)
	{
		if (!server.ok) out << "not answered: " << server.server << ": " << server.error << "\n";
	}
	return out.str();
}


} // namespace mail
