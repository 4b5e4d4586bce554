// imap_client.h - an IMAP4rev1/rev2 client connection (RFC 9051, RFC 3501) for the agent.
//
// Poco has no IMAP client, so this class speaks it over Poco::Net::DialogSocket (as
// pop3_client does POP3): a tagged command, the untagged responses before its tagged
// answer, and literals ({N} then N octets) read whole, with a bound on each. TLS is
// STARTTLS (RFC 9051 6.2.1) after the greeting or implicit (imaps, RFC 8314).
#pragma once

#include "agent/mail_endpoints.h"

#include <Poco/Net/DialogSocket.h>
#include <Poco/Timespan.h>

#include <stdexcept>
#include <string>
#include <vector>


namespace mail {


class ImapError: public std::runtime_error
/// The connection failed, broke, or the server refused the login; what() says which.
{
public:
	using std::runtime_error::runtime_error;
};


enum class ImapTls
{
	None,     ///< plain text (the server may refuse the login: LOGINDISABLED)
	StartTls, ///< STARTTLS before the login (--tls)
	Implicit  ///< TLS from the first octet (--imaps, the server's imaps: port)
};


struct ImapReply
{
	std::string status;                ///< OK, NO or BAD (upper case)
	std::string text;                  ///< the tagged line after the status
	std::vector<std::string> untagged; ///< each "* ..." response without "* ", literals inline

	bool ok() const { return status == "OK"; }
	std::string statusLine() const { return status + (text.empty() ? "" : " " + text); }
};


class ImapClient
{
public:
	ImapClient(const Endpoint& server, const Poco::Timespan& timeout, ImapTls tls);
	/// Connects, reads the greeting (a BYE or PREAUTH greeting is refused) and, for
	/// StartTls, negotiates TLS. Throws ImapError.

	void login(const std::string& user, const std::string& password);
	/// AUTHENTICATE PLAIN (RFC 4616): any octet of the password goes through, unlike
	/// LOGIN's quoted strings. Throws ImapError with the server's answer on refusal.

	ImapReply command(const std::string& line);
	/// Sends "TAG line" and reads up to the tagged answer. Throws ImapError when the
	/// connection breaks or the server sends BYE.

	void close();
	///< Closes the socket without LOGOUT (nothing is expunged either way).

	const std::string& server() const { return _server; }

private:
	std::string nextTag();
	std::string readLine();
	std::string readResponse();
	///< One response line with its literals inline (as on the wire, without the final CRLF).
	ImapReply readReply(const std::string& tag);

	Poco::Net::DialogSocket _socket;
	std::string _server;
	unsigned _tagNumber = 0;
};


} // namespace mail
