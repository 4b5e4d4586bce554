// pop3_client.h - a POP3 client connection that can read every RFC 1939 reply.
//
// Poco::Net::POP3ClientSession (1.11) reads multi-line replies only inside its own
// listMessages()/retrieveMessage(); its sendCommand() returns the first line alone, so
// `top N L` and `uidl` cannot be done with it. This class speaks POP3 over
// Poco::Net::DialogSocket (the socket POP3ClientSession itself uses) and returns each
// reply whole: the status line and, for multi-line commands, the data with the dot
// stuffing removed.
#pragma once

#include "agent/mail_endpoints.h"

#include <Poco/Net/DialogSocket.h>
#include <Poco/Timespan.h>

#include <stdexcept>
#include <string>


namespace mail {


class Pop3Error: public std::runtime_error
/// The connection failed or the server refused the login; what() says which.
{
public:
	using std::runtime_error::runtime_error;
};


struct Pop3Reply
{
	bool ok = false;    ///< "+OK"
	std::string status; ///< the status line without CRLF
	std::string data;   ///< multi-line replies: the lines, each ending in "\r\n", unstuffed

	std::string text() const; ///< status without "+OK " / "-ERR "
};


class Pop3Client
{
public:
	Pop3Client(const Endpoint& server, const Poco::Timespan& timeout, bool tls = false);
	/// Connects and reads the greeting; with tls, STLS (RFC 2595) and the handshake.
	/// Throws Pop3Error.

	void login(const std::string& user, const std::string& password);
	/// USER and PASS. Throws Pop3Error with the server's answer on refusal.

	Pop3Reply command(const std::string& line);
	/// One single-line command. Throws Pop3Error when the connection breaks.

	Pop3Reply multiLineCommand(const std::string& line);
	/// A command whose +OK reply is followed by lines up to ".".

	void close();
	///< Closes the socket without QUIT: nothing marked deleted is removed.

private:
	std::string readLine();

	Poco::Net::DialogSocket _socket;
	std::string _server;
};


} // namespace mail
