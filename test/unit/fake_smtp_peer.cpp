// fake_smtp_peer.cpp - scripted loopback SMTP server for the relay unit tests.
#include "test/unit/fake_smtp_peer.h"

#include "common/base/line_reader.h"

#include <Poco/Timespan.h>


namespace mail {
namespace test {


FakeSmtpPeer::FakeSmtpPeer(std::string greeting, Answer answer, std::string endOfData):
	_listener(Poco::Net::SocketAddress("127.0.0.1", 0)),
	_greeting(std::move(greeting)),
	_answer(std::move(answer)),
	_endOfData(std::move(endOfData)),
	_thread([this] { serve(); })
{
}


FakeSmtpPeer::~FakeSmtpPeer()
{
	_stop = true;
	_thread.join();
}


std::vector<std::string> FakeSmtpPeer::commands() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _commands;
}


std::string FakeSmtpPeer::data() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _data;
}


unsigned FakeSmtpPeer::messages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _messages;
}


unsigned FakeSmtpPeer::connections() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _connections;
}


std::vector<std::string> FakeSmtpPeer::followed() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _followed;
}


std::string FakeSmtpPeer::standard(const std::string& command)
{
	if (command.compare(0, 5, "EHLO ") == 0) return "250-fake.example\r\n250-PIPELINING\r\n250 SIZE 10485760";
	if (command.compare(0, 10, "MAIL FROM:") == 0) return "250 2.1.0 Ok";
	if (command.compare(0, 14, "RCPT TO:<error") == 0) return "550 5.1.1 <error@gmail.com>: Recipient address rejected: User unknown";
	if (command.compare(0, 13, "RCPT TO:<busy") == 0) return "450 4.2.1 <busy@gmail.com>: mailbox busy";
	if (command.compare(0, 8, "RCPT TO:") == 0) return "250 2.1.5 Ok";
	if (command == "DATA") return "354 End data with <CR><LF>.<CR><LF>";
	if (command == "RSET") return "250 2.0.0 Ok";
	if (command == "QUIT") return "221 2.0.0 Bye";
	return "500 5.5.2 Error: command not recognized";
}


namespace {


const std::string kThenClose = "\r\nclose";


bool endsWithClose(const std::string& reply)
/// "...\r\nclose": say the rest, then drop the connection.
{
	return reply.size() > kThenClose.size() && reply.compare(reply.size() - kThenClose.size(), kThenClose.size(), kThenClose) == 0;
}


} // namespace


void FakeSmtpPeer::say(Poco::Net::StreamSocket& socket, const std::string& reply)
{
	const std::string line = reply + "\r\n";
	socket.sendBytes(line.data(), static_cast<int>(line.size()));
}


void FakeSmtpPeer::serve()
{
	while (!_stop)
	{
		if (!_listener.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
		Poco::Net::StreamSocket socket = _listener.acceptConnection();
		session(socket);
	}
}


void FakeSmtpPeer::session(Poco::Net::StreamSocket& socket)
{
	LineReader reader(socket);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		++_connections;
	}
	say(socket, _greeting);
	if (_greeting.compare(0, 1, "2") != 0) return;
	std::string line;
	bool anyRecipient = false; // in this transaction: DATA without one is refused, as real servers do
	while (!_stop && reader.readLine(line, 4096, Poco::Timespan(10, 0)) == ReadStatus::Ok)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_commands.push_back(line);
			if (reader.buffered() > 0) _followed.push_back(line);
		}
		if (line.compare(0, 10, "MAIL FROM:") == 0 || line == "RSET") anyRecipient = false;
		const std::string reply = line == "DATA" && !anyRecipient ? "554 5.5.1 Error: no valid recipients" : _answer(line);
		if (line.compare(0, 8, "RCPT TO:") == 0 && reply.compare(0, 1, "2") == 0) anyRecipient = true;
		if (reply == "close") return;
		if (endsWithClose(reply))
		{
			say(socket, reply.substr(0, reply.size() - kThenClose.size()));
			return;
		}
		if (!reply.empty()) say(socket, reply);
		if (reply.compare(0, 3, "354") == 0)
		{
			while (reader.readLine(line, 4096, Poco::Timespan(10, 0)) == ReadStatus::Ok && line != ".")
			{
				std::lock_guard<std::mutex> lock(_mutex);
				_data += line + "\r\n";
			}
			{
				std::lock_guard<std::mutex> lock(_mutex);
				++_messages;
			}
			if (endsWithClose(_endOfData))
			{
				say(socket, _endOfData.substr(0, _endOfData.size() - kThenClose.size()));
				return;
			}
			say(socket, _endOfData);
		}
		if (line == "QUIT") return;
	}
}


} // namespace test
} // namespace mail
