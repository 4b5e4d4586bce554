// relay_client.cpp - outbound SMTP transaction on Poco::Net::SMTPClientSession.
#include "server/relay/relay_client.h"

#include "server/message/dot_stuffing.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>

#include <cctype>

using Poco::Timespan;
using Poco::Net::SMTPClientSession;
using Poco::Net::SocketAddress;
using Poco::Net::StreamSocket;


namespace mail {


namespace {


Outcome outcomeOf(int code)
{
	if (code >= 200 && code < 300) return Outcome::Delivered;
	if (code >= 500 && code < 600) return Outcome::Permanent;
	return Outcome::Temporary; // 4xx, and anything a broken peer might send
}


std::string oneLine(const std::string& reply)
{
	std::string out = reply;
	for (char& c: out)
	{
		if (c == '\r' || c == '\n') c = ' ';
	}
	return Poco::trim(out);
}


bool isEnhancedStatus(const std::string& text, char cls)
/// "c.ddd.ddd" with c the reply class (RFC 3463: 1-3 digits per part after the class).
{
	if (text.size() < 5 || text[0] != cls || text[1] != '.') return false;
	std::size_t i = 2, digits = 0;
	for (int part = 0; part < 2; ++part)
	{
		digits = 0;
		while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 3)
		{
			++i;
			++digits;
		}
		if (digits == 0) return false;
		if (part == 0)
		{
			if (i >= text.size() || text[i] != '.') return false;
			++i;
		}
	}
	return i == text.size();
}


class LiveGuard
/// Registers a connected socket with the client for abortAll() while a transaction runs.
{
public:
	LiveGuard(std::mutex& mutex, std::set<StreamSocket*>& live, StreamSocket& socket):
		_mutex(mutex), _live(live), _socket(socket)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_live.insert(&_socket);
	}
	~LiveGuard()
	{
		release();
	}
	void release()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_live.erase(&_socket);
	}
	LiveGuard(const LiveGuard&) = delete;
	LiveGuard& operator=(const LiveGuard&) = delete;

private:
	std::mutex& _mutex;
	std::set<StreamSocket*>& _live;
	StreamSocket& _socket;
};


void sendAll(StreamSocket& socket, const std::string& data)
{
	std::size_t done = 0;
	while (done < data.size())
	{
		const int n = socket.sendBytes(data.data() + done, static_cast<int>(data.size() - done));
		if (n <= 0) throw Poco::Net::ConnectionResetException("send returned " + std::to_string(n));
		done += static_cast<std::size_t>(n);
	}
}


int command(SMTPClientSession& session, const std::string& line, std::string& reply)
/// One command and its reply; a closed connection or garbage instead of a reply throws.
{
	const int code = session.sendCommand(line, reply);
	if (code < 200 || code > 599)
		throw Poco::Net::ConnectionResetException(reply.empty() ? "connection closed by peer" : "bad reply: " + oneLine(reply));
	return code;
}


void quit(SMTPClientSession& session, const std::string& peer)
/// QUIT and close; the outcome is known already, so a failure here changes nothing.
{
	try
	{
		session.close();
	}
	catch (const Poco::Exception& exc)
	{
		Poco::Logger::get("relay").debug("- quit failed peer=%s error=%s", peer, exc.displayText());
	}
}


void setAll(std::vector<RecipientResult>& results, const std::vector<bool>& which, Outcome outcome,
	const std::string& status, const std::string& reply, bool remote = false)
{
	for (std::size_t i = 0; i < results.size(); ++i)
	{
		if (!which[i]) continue;
		results[i].outcome = outcome;
		results[i].status = status;
		results[i].reply = reply;
		results[i].remote = remote;
	}
}


} // namespace


const char* toString(Outcome outcome)
{
	switch (outcome)
	{
	case Outcome::Delivered: return "delivered";
	case Outcome::Temporary: return "deferred";
	case Outcome::Permanent: return "bounced";
	}
	return "unknown";
}


std::string dotStuff(const std::string& message)
{
	std::string out;
	appendDotStuffed(out, message.data(), message.size());
	if (!out.empty() && !(out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0))
	{
		if (out.back() == '\r') out += '\n';
		else out += "\r\n";
	}
	return out;
}


std::string statusFromReply(int code, const std::string& reply)
{
	const char cls = static_cast<char>('0' + (code / 100) % 10);
	std::string text = reply;
	if (text.size() >= 4 && std::isdigit(static_cast<unsigned char>(text[0]))) text = text.substr(4);
	const std::size_t end = text.find_first_of(" \r\n");
	const std::string first = text.substr(0, end);
	if (isEnhancedStatus(first, cls)) return first;
	return std::string(1, cls) + ".0.0";
}


RelayClient::RelayClient(std::string heloName, Seconds connectTimeout, Seconds commandTimeout):
	_heloName(std::move(heloName)),
	_connectTimeout(connectTimeout),
	_commandTimeout(commandTimeout)
{
}


void RelayClient::abortAll()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_aborted = true;
	for (StreamSocket* socket: _live)
	{
		try
		{
			socket->shutdown();
		}
		catch (const Poco::Exception& exc)
		{
			Poco::Logger::get("relay").debug("- abort shutdown failed error=%s", exc.displayText());
		}
	}
}


TransactionResult RelayClient::send(const Exchanger& exchanger, const std::string& sender,
	const std::vector<std::string>& recipients, const std::string& message)
{
	TransactionResult result;
	for (const auto& r: recipients) result.recipients.push_back(RecipientResult{r, Outcome::Temporary, "4.4.1", {}, false});
	std::vector<bool> open(recipients.size(), true); // no final answer yet
	const std::string peer = exchanger.describe();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_aborted)
		{
			setAll(result.recipients, open, Outcome::Temporary, "4.3.2", "relay stopping");
			return result;
		}
	}

	StreamSocket socket;
	try
	{
		socket.connect(SocketAddress(exchanger.address, exchanger.port), Timespan(_connectTimeout.count(), 0));
	}
	catch (const Poco::Exception& exc)
	{
		result.tryNext = true;
		setAll(result.recipients, open, Outcome::Temporary, "4.4.1", "connect to " + peer + ": " + exc.displayText());
		return result;
	}

	SMTPClientSession session(socket);
	LiveGuard guard(_mutex, _live, socket);
	const auto finish = [&] {
		guard.release(); // abortAll() must not touch a socket that is being closed
		quit(session, peer);
	};
	std::string step = "greeting";
	bool greeted = false;
	try
	{
		session.setTimeout(Timespan(_commandTimeout.count(), 0));
		socket.setSendTimeout(Timespan(_commandTimeout.count(), 0));
		try
		{
			session.open();
		}
		catch (const Poco::Net::SMTPException& exc)
		{
			// A refusing greeting (4xx/5xx): this exchanger is unusable; try the next one.
			result.tryNext = true;
			setAll(result.recipients, open, Outcome::Temporary, statusFromReply(400, exc.message()),
				oneLine(exc.message()), true);
			socket.shutdown();
			return result;
		}
		std::string reply;
		step = "EHLO";
		int code = command(session, "EHLO " + _heloName, reply);
		if (code / 100 != 2)
		{
			step = "HELO";
			code = command(session, "HELO " + _heloName, reply);
		}
		if (code / 100 != 2)
		{
			result.tryNext = true;
			setAll(result.recipients, open, Outcome::Temporary, statusFromReply(400, reply),
				oneLine(reply), true);
			finish();
			return result;
		}
		greeted = true;
		const bool sizeAdvertised = step == "EHLO" && Poco::toUpper(reply).find("SIZE") != std::string::npos;

		step = "MAIL FROM";
		std::string mailFrom = "MAIL FROM:<" + sender + ">";
		if (sizeAdvertised) mailFrom += " SIZE=" + std::to_string(message.size());
		code = command(session, mailFrom, reply);
		if (code / 100 != 2)
		{
			setAll(result.recipients, open, outcomeOf(code), statusFromReply(code, reply),
				oneLine(reply), true);
			finish();
			return result;
		}

		step = "RCPT TO";
		std::vector<bool> accepted(recipients.size(), false);
		bool anyAccepted = false;
		for (std::size_t i = 0; i < recipients.size(); ++i)
		{
			code = command(session, "RCPT TO:<" + recipients[i] + ">", reply);
			if (code / 100 == 2)
			{
				accepted[i] = anyAccepted = true;
				continue;
			}
			RecipientResult& r = result.recipients[i];
			r.outcome = outcomeOf(code);
			r.status = statusFromReply(code, reply);
			r.reply = oneLine(reply);
			r.remote = true;
			open[i] = false;
		}
		if (!anyAccepted)
		{
			finish();
			return result;
		}

		step = "DATA";
		code = command(session, "DATA", reply);
		if (code != 354)
		{
			const Outcome outcome = code / 100 == 5 ? Outcome::Permanent : Outcome::Temporary;
			setAll(result.recipients, accepted, outcome, statusFromReply(code, reply), oneLine(reply), true);
			finish();
			return result;
		}
		step = "end of DATA";
		sendAll(socket, dotStuff(message));
		code = command(session, ".", reply);
		setAll(result.recipients, accepted, outcomeOf(code), statusFromReply(code, reply),
			oneLine(reply), true);
		for (std::size_t i = 0; i < open.size(); ++i) open[i] = open[i] && !accepted[i];
		finish();
	}
	catch (const Poco::Exception& exc)
	{
		// Lost connection or timeout: whatever has no final answer is retried.
		if (!greeted) result.tryNext = true;
		setAll(result.recipients, open, Outcome::Temporary, "4.4.2",
			"lost connection with " + peer + " while sending " + step + ": " + exc.displayText());
		try
		{
			socket.shutdown();
		}
		catch (const Poco::Exception&)
		{
			// Already closed by the peer or by abortAll(); the session destructor closes it.
		}
	}
	return result;
}


} // namespace mail
