// imap_client.cpp - IMAP commands and whole replies (literals included) over a DialogSocket.
#include "agent/imap_client.h"

#include "common/base/base64.h"
#include "agent/tls_client.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>


using Poco::Net::SocketAddress;


namespace mail {


namespace {


constexpr std::size_t MaxLineLength = 1 << 20;      ///< one response line, literals not counted
constexpr std::size_t MaxLiteral = 64 << 20;        ///< one literal (a whole message at most)
constexpr std::size_t MaxResponse = 128 << 20;      ///< one response, its literals included
constexpr std::size_t MaxUntaggedBytes = 256 << 20; ///< all untagged responses of one command


/// The N of a line ending in "{N}" or "{N+}" (a literal follows); false otherwise.
bool literalSize(const std::string& line, std::size_t& size)
{
	if (line.empty() || line.back() != '}') return false;
	std::size_t open = line.rfind('{');
	if (open == std::string::npos) return false;
	std::string digits = line.substr(open + 1, line.size() - open - 2);
	if (!digits.empty() && digits.back() == '+') digits.pop_back();
	if (digits.empty() || digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
	size = std::stoull(digits);
	return true;
}


/// "OK", "NO", "BAD" from "OK text": the status word upper-cased, text after it.
void splitStatus(const std::string& rest, std::string& status, std::string& text)
{
	std::size_t space = rest.find(' ');
	status = Poco::toUpper(rest.substr(0, space));
	text = space == std::string::npos ? "" : rest.substr(space + 1);
}


} // namespace


ImapClient::ImapClient(const Endpoint& server, const Poco::Timespan& timeout, ImapTls tls):
	_server(server.toString())
{
	try
	{
		if (tls == ImapTls::Implicit)
		{
			Poco::Net::SecureStreamSocket secure(clientTlsContext());
			secure.connect(SocketAddress(server.address, server.port), timeout);
			_socket = secure;
		}
		else
		{
			_socket.connect(SocketAddress(server.address, server.port), timeout);
		}
		_socket.setReceiveTimeout(timeout);
		_socket.setSendTimeout(timeout);
	}
	catch (const Poco::Exception& e)
	{
		throw ImapError("cannot connect to the IMAP server " + _server + (tls == ImapTls::Implicit ? " over TLS: " : ": ")
			+ e.displayText());
	}
	const std::string greeting = readResponse();
	if (Poco::icompare(greeting, 0, 4, "* OK") != 0)
		throw ImapError("the IMAP server " + _server + " refused the connection: " + greeting);
	if (tls != ImapTls::StartTls) return;
	const ImapReply starttls = command("STARTTLS");
	if (!starttls.ok()) throw ImapError("the IMAP server " + _server + " refused STARTTLS: " + starttls.statusLine());
	try
	{
		_socket = Poco::Net::SecureStreamSocket::attach(_socket, clientTlsContext());
	}
	catch (const Poco::Exception& e)
	{
		throw ImapError("TLS with the IMAP server " + _server + " failed: " + e.displayText());
	}
}


void ImapClient::login(const std::string& user, const std::string& password)
{
	const std::string tag = nextTag();
	try
	{
		_socket.sendMessage(tag + " AUTHENTICATE PLAIN");
	}
	catch (const Poco::Exception& e)
	{
		throw ImapError("lost the IMAP server " + _server + ": " + e.displayText());
	}
	std::string line = readResponse();
	while (line.compare(0, 2, "* ") == 0) line = readResponse(); // untagged data before the challenge
	ImapReply reply;
	if (line.compare(0, 1, "+") == 0)
	{
		try
		{
			_socket.sendMessage(encodeBase64(std::string(1, '\0') + user + std::string(1, '\0') + password));
		}
		catch (const Poco::Exception& e)
		{
			throw ImapError("lost the IMAP server " + _server + ": " + e.displayText());
		}
		reply = readReply(tag);
	}
	else if (line.compare(0, tag.size() + 1, tag + " ") == 0)
	{
		splitStatus(line.substr(tag.size() + 1), reply.status, reply.text);
	}
	else
	{
		throw ImapError("the IMAP server " + _server + " answered AUTHENTICATE with: " + line);
	}
	if (reply.ok()) return;
	// RFC 5530 response codes tell a server problem from bad credentials
	const bool credentials = reply.text.find("[AUTHENTICATIONFAILED]") != std::string::npos
		|| reply.text.find('[') == std::string::npos;
	throw ImapError("login as " + user + " failed" + (credentials ? " (wrong user or password?): " : ": ") + reply.statusLine());
}


ImapReply ImapClient::command(const std::string& line)
{
	const std::string tag = nextTag();
	try
	{
		_socket.sendMessage(tag + " " + line);
	}
	catch (const Poco::Exception& e)
	{
		throw ImapError("lost the IMAP server " + _server + ": " + e.displayText());
	}
	return readReply(tag);
}


void ImapClient::close()
{
	try
	{
		_socket.close();
	}
	catch (const Poco::Exception&)
	{
	}
}


std::string ImapClient::nextTag()
{
	return "a" + std::to_string(++_tagNumber);
}


ImapReply ImapClient::readReply(const std::string& tag)
{
	ImapReply reply;
	std::size_t untaggedBytes = 0;
	std::string bye; ///< LOGOUT's BYE comes before its tagged OK; after any other the server closes
	for (;;)
	{
		std::string response;
		try
		{
			response = readResponse();
		}
		catch (const ImapError&)
		{
			if (bye.empty()) throw;
			throw ImapError("the IMAP server " + _server + " ended the session: " + bye);
		}
		if (response.compare(0, tag.size() + 1, tag + " ") == 0)
		{
			splitStatus(response.substr(tag.size() + 1), reply.status, reply.text);
			return reply;
		}
		if (response.compare(0, 2, "* ") != 0)
			throw ImapError("the IMAP server " + _server + " sent an unexpected line: " + response.substr(0, 200));
		response.erase(0, 2);
		if (Poco::icompare(response, 0, 3, "BYE") == 0) bye = response.substr(0, 200);
		untaggedBytes += response.size();
		if (untaggedBytes > MaxUntaggedBytes)
			throw ImapError("the IMAP server " + _server + " sent more than " + std::to_string(MaxUntaggedBytes >> 20)
				+ " MiB for one command");
		reply.untagged.push_back(std::move(response));
	}
}


std::string ImapClient::readResponse()
{
	std::string response = readLine();
	std::size_t size = 0;
	while (literalSize(response, size))
	{
		if (size > MaxLiteral || response.size() + size > MaxResponse)
			throw ImapError("the IMAP server " + _server + " sent a literal of " + std::to_string(size) + " octets (limit "
				+ std::to_string(MaxLiteral) + ")");
		response += "\r\n";
		const std::size_t start = response.size();
		response.resize(start + size);
		std::size_t got = 0;
		while (got < size)
		{
			int n = 0;
			try
			{
				n = _socket.receiveRawBytes(&response[start + got], static_cast<int>(size - got));
			}
			catch (const Poco::TimeoutException&)
			{
				throw ImapError("the IMAP server " + _server + " did not answer in time");
			}
			catch (const Poco::Exception& e)
			{
				throw ImapError("lost the IMAP server " + _server + ": " + e.displayText());
			}
			if (n <= 0) throw ImapError("the IMAP server " + _server + " closed the connection inside a literal");
			got += static_cast<std::size_t>(n);
		}
		response += readLine();
	}
	return response;
}


std::string ImapClient::readLine()
{
	std::string line;
	try
	{
		for (;;)
		{
			const int ch = _socket.get();
			if (ch < 0)
			{
				if (line.empty()) throw ImapError("the IMAP server " + _server + " closed the connection");
				return line;
			}
			if (ch == '\n')
			{
				if (!line.empty() && line.back() == '\r') line.pop_back();
				return line;
			}
			if (line.size() >= MaxLineLength)
				throw ImapError("the IMAP server " + _server + " sent a line longer than " + std::to_string(MaxLineLength) + " octets");
			line += static_cast<char>(ch);
		}
	}
	catch (const Poco::TimeoutException&)
	{
		throw ImapError("the IMAP server " + _server + " did not answer in time");
	}
	catch (const Poco::Exception& e)
	{
		throw ImapError("lost the IMAP server " + _server + ": " + e.displayText());
	}
}


} // namespace mail
