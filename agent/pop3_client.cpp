// pop3_client.cpp - POP3 commands and whole replies over a DialogSocket.
#include "agent/pop3_client.h"

#include "agent/tls_client.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>


using Poco::Net::SocketAddress;


namespace mail {


namespace {


bool isPositive(const std::string& status)
{
	return status.compare(0, 3, "+OK") == 0;
}


} // namespace


std::string Pop3Reply::text() const
{
	std::size_t space = status.find(' ');
	return space == std::string::npos ? "" : status.substr(space + 1);
}


Pop3Client::Pop3Client(const Endpoint& server, const Poco::Timespan& timeout, bool tls):
	_server(server.toString())
{
	try
	{
		_socket.connect(SocketAddress(server.address, server.port), timeout);
		_socket.setReceiveTimeout(timeout);
	}
	catch (const Poco::Exception& e)
	{
		throw Pop3Error("cannot connect to the POP3 server " + _server + ": " + e.displayText());
	}
	std::string greeting = readLine();
	if (!isPositive(greeting)) throw Pop3Error("the POP3 server " + _server + " refused the connection: " + greeting);
	if (!tls) return;
	const Pop3Reply stls = command("STLS");
	if (!stls.ok) throw Pop3Error("the POP3 server " + _server + " refused STLS: " + stls.status);
	try
	{
		_socket = Poco::Net::SecureStreamSocket::attach(_socket, clientTlsContext());
	}
	catch (const Poco::Exception& e)
	{
		throw Pop3Error("TLS with the POP3 server " + _server + " failed: " + e.displayText());
	}
}


void Pop3Client::login(const std::string& user, const std::string& password)
{
	Pop3Reply reply = command("USER " + user);
	if (reply.ok) reply = command("PASS " + password);
	if (reply.ok) return;
	// RFC 3206 response codes tell a server problem from bad credentials
	bool serverSide = reply.status.find("[SYS/") != std::string::npos || reply.status.find("[IN-USE]") != std::string::npos;
	throw Pop3Error("login as " + user + " failed" + (serverSide ? ": " : " (wrong user or password?): ") + reply.status);
}


Pop3Reply Pop3Client::command(const std::string& line)
{
	Pop3Reply reply;
	try
	{
		_socket.sendMessage(line);
	}
	catch (const Poco::Exception& e)
	{
		throw Pop3Error("lost the POP3 server " + _server + ": " + e.displayText());
	}
	reply.status = readLine();
	reply.ok = isPositive(reply.status);
	return reply;
}


Pop3Reply Pop3Client::multiLineCommand(const std::string& line)
{
	Pop3Reply reply = command(line);
	if (!reply.ok) return reply;
	for (;;)
	{
		std::string data = readLine();
		if (data == ".") break;
		if (!data.empty() && data[0] == '.') data.erase(0, 1);
		reply.data += data;
		reply.data += "\r\n";
	}
	return reply;
}


void Pop3Client::close()
{
	try
	{
		_socket.close();
	}
	catch (const Poco::Exception&)
	{
	}
}


std::string Pop3Client::readLine()
{
	std::string line;
	try
	{
		if (_socket.receiveMessage(line)) return line;
	}
	catch (const Poco::TimeoutException&)
	{
		throw Pop3Error("the POP3 server " + _server + " did not answer in time");
	}
	catch (const Poco::Exception& e)
	{
		throw Pop3Error("lost the POP3 server " + _server + ": " + e.displayText());
	}
	throw Pop3Error("the POP3 server " + _server + " closed the connection");
}


} // namespace mail
