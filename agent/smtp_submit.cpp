// smtp_submit.cpp - message composition (Poco MailMessage) and submission (SMTPClientSession).
#include "agent/smtp_submit.h"

#include "agent/tls_client.h"
#include "common/mail/mail_address.h"
#include "common/mail/mail_date.h"

#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/MailStream.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>


using Poco::Net::MailMessage;
using Poco::Net::MailRecipient;
using Poco::Net::SMTPClientSession;
using Poco::Net::SocketAddress;
using Poco::Net::StreamSocket;


namespace mail {


namespace {


bool isAscii(const std::string& text)
{
	for (unsigned char c: text)
		if (c >= 0x80) return false;
	return true;
}


/// Lines end in CRLF on the wire; a lone LF (or CR) from a file or the terminal too.
std::string crlfLines(const std::string& text)
{
	std::string out;
	out.reserve(text.size() + text.size() / 32);
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
		if (text[i] == '\r' || text[i] == '\n') out += "\r\n";
		else out += text[i];
	}
	return out;
}


/// SMTPClientSession with its dialog socket reachable, to send the transaction ourselves:
/// Poco 1.11 writes "MAIL FROM: <a>" (with a space), which RFC 5321 4.1.1.2 does not show.
class SubmitSession: public Poco::Net::SecureSMTPClientSession
{
public:
	using SecureSMTPClientSession::SecureSMTPClientSession;
	using SMTPClientSession::isPositiveCompletion;
	using SMTPClientSession::socket;
};


void expect(bool ok, const char* what, const std::string& response, int status)
{
	if (!ok) throw Poco::Net::SMTPException(what, response, status);
}


/// MAIL FROM:<a>, RCPT TO:<b> per recipient, DATA, the message, as RFC 5321 writes them.
void sendTransaction(SubmitSession& session, const MailMessage& message)
{
	std::string response;
	int status = session.sendCommand("MAIL FROM:<" + message.getSender() + ">", response);
	expect(SubmitSession::isPositiveCompletion(status), "Cannot send message", response, status);
	for (const MailRecipient& recipient: message.recipients())
	{
		status = session.sendCommand("RCPT TO:<" + recipient.getAddress() + ">", response);
		expect(SubmitSession::isPositiveCompletion(status), "Recipient rejected", response, status);
	}
	session.sendData();
	Poco::Net::SocketOutputStream socketStream(session.socket());
	Poco::Net::MailOutputStream mailStream(socketStream); // dot-stuffs and ends with CRLF.CRLF
	message.write(mailStream);
	mailStream.close();
	socketStream.flush();
	status = session.socket().receiveStatusMessage(response);
	expect(SubmitSession::isPositiveCompletion(status), "The server rejected the message", response, status);
}


} // namespace


void composeMessage(MailMessage& message, const std::string& from, const std::vector<std::string>& to,
	const std::string& subject, const std::string& content)
{
	message.setSender(from);
	for (const auto& recipient: to)
		message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, Poco::trim(recipient)));
	message.setSubject(isAscii(subject) ? subject : MailMessage::encodeWord(subject, "UTF-8"));
	// RFC 5322 3.3: a numeric zone (Poco's default Date: says "GMT", an obsolete zone).
	message.set("Date", rfc5322Date(Poco::Timestamp()));
	// RFC 2045 4: Poco adds MIME-Version only to multipart messages.
	message.set("MIME-Version", "1.0");
	const std::string domain = domainOf(from);
	message.set("Message-ID", "<" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString() + "@" + domain + ">");
	message.setContentType("text/plain; charset=UTF-8");
	message.setContent(crlfLines(content), MailMessage::ENCODING_QUOTED_PRINTABLE);
}


std::string submitMessage(const Endpoint& server, const MailMessage& message, const Poco::Timespan& timeout,
	const SubmitSecurity& security)
{
	try
	{
		StreamSocket socket;
		socket.connect(SocketAddress(server.address, server.port), timeout);
		SubmitSession session(socket);
		session.setTimeout(timeout);
		session.login();
		// startTLS() sends EHLO again over TLS, as RFC 3207 section 4.2 asks.
		if (security.tls && !session.startTLS(clientTlsContext()))
			return "the SMTP server " + server.toString() + " does not offer STARTTLS";
		if (security.auth) session.login(SMTPClientSession::AUTH_PLAIN, security.user, security.password);
		sendTransaction(session, message);
		session.close();
		return "";
	}
	catch (const Poco::Net::SMTPException& e)
	{
		return "the SMTP server " + server.toString() + " refused: " + e.message();
	}
	catch (const Poco::Exception& e)
	{
		return "cannot talk to the SMTP server " + server.toString() + ": " + e.displayText();
	}
}


} // namespace mail
