// smtp_connection.cpp - outbound SMTP state machine on a StreamSocket and the project's LineReader.
#include "server/relay/smtp_connection.h"

#include "server/message/dot_stuffing.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

using Poco::Timespan;


namespace mail {


namespace {


constexpr std::size_t kMaxReplyLine = 4096;
constexpr int kQuitWaitSeconds = 1;


Outcome outcomeOf(int code)
{
	if (code >= 200 && code < 300) return Outcome::Delivered;
	if (code >= 500 && code < 600) return Outcome::Permanent;
	return Outcome::Temporary; // 4xx, and anything a broken peer might send
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


RecipientResult resultOf(const std::string& address, int code, const std::string& reply)
{
	return RecipientResult{address, outcomeOf(code), statusFromReply(code, reply), reply, true};
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


std::string statusFromReply(int code, const std::string& reply)
{
	const char cls = static_cast<char>('0' + (code / 100) % 10);
	std::string text = reply;
	if (text.size() >= 4 && std::isdigit(static_cast<unsigned char>(text[0]))) text = text.substr(4);
	const std::size_t end = text.find_first_of(" \r\n");
	std::string first = text.substr(0, end);
	if (isEnhancedStatus(first, cls)) return first;
	return std::string(1, cls) + ".0.0";
}


SmtpConnection::SmtpConnection(Exchanger exchanger, std::string heloName, Seconds connectTimeout, Seconds commandTimeout,
	RelayTlsPolicy tls):
	_exchanger(std::move(exchanger)),
	_heloName(std::move(heloName)),
	_connectTimeout(connectTimeout),
	_commandTimeout(commandTimeout),
	_tls(std::move(tls)),
	_reader(_socket)
{
}


SmtpConnection::~SmtpConnection()
{
	try
	{
		if (_state != State::Closed) _socket.close();
	}
	catch (const Poco::Exception&)
	{
		// Closing a socket the peer reset: nothing left to release.
	}
}


SmtpConnection::Reply SmtpConnection::readReply(const char* step, const Timespan& timeout)
/// One reply, multi-line ones whole; a closed connection, a timeout or garbage throws.
{
	Reply reply;
	std::string line;
	for (;;)
	{
		switch (_reader.readLine(line, kMaxReplyLine, timeout))
		{
		case ReadStatus::Ok:
		case ReadStatus::TooLong: break;
		case ReadStatus::Timeout: throw Poco::TimeoutException(std::string("no reply to ") + step);
		case ReadStatus::Closed: throw Poco::Net::ConnectionResetException("connection closed by peer");
		}
		if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) || !std::isdigit(static_cast<unsigned char>(line[1]))
			|| !std::isdigit(static_cast<unsigned char>(line[2])))
			throw Poco::Net::ConnectionResetException("bad reply: " + line);
		const int code = std::stoi(line.substr(0, 3));
		if (reply.code != 0 && code != reply.code) throw Poco::Net::ConnectionResetException("bad reply: " + line);
		reply.code = code;
		reply.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
		reply.text += (reply.text.empty() ? "" : " ") + Poco::trimRight(line.substr(0, 3) + (line.size() > 3 ? " " + line.substr(4) : ""));
		if (line.size() < 4 || line[3] != '-') break;
	}
	// The first line carries the code once; continuation lines only their text.
	if (reply.lines.size() > 1)
	{
		reply.text = std::to_string(reply.code);
		for (const auto& l: reply.lines) reply.text += " " + l;
		reply.text = Poco::trimRight(reply.text);
	}
	return reply;
}


void SmtpConnection::write(const std::string& data)
{
	std::size_t done = 0;
	while (done < data.size())
	{
		const int n = _socket.sendBytes(data.data() + done, static_cast<int>(data.size() - done));
		if (n <= 0) throw Poco::Net::ConnectionResetException("send returned " + std::to_string(n));
		done += static_cast<std::size_t>(n);
	}
}


void SmtpConnection::writeData(MessageSource& message)
/// The message as DATA wants it, ending with CRLF.CRLF: one chunk read, encoded and sent
/// at a time.
{
	std::vector<char> chunk(kDataChunk);
	std::string out;
	out.reserve(kDataChunk + kDataChunk / 8);
	DataEncoder encoder(message.lfLines());
	message.rewind();
	for (;;)
	{
		const std::size_t n = message.read(chunk.data(), chunk.size());
		if (n == 0) break;
		encoder.append(out, chunk.data(), n);
		if (out.size() < kDataChunk) continue; // a short read: send fewer, fuller segments
		write(out);
		out.clear();
	}
	encoder.finish(out);
	write(out);
}


SmtpConnection::Reply SmtpConnection::exchange(const std::string& line, bool batched, const char* step)
/// Sends the line (unless it went out with the batch already) and reads its reply.
{
	const auto start = std::chrono::steady_clock::now();
	if (!batched) write(line + "\r\n");
	Reply reply = readReply(step, Timespan(_commandTimeout.count(), 0));
	trace(line, reply, start);
	return reply;
}


void SmtpConnection::trace(const std::string& command, const Reply& reply, std::chrono::steady_clock::time_point since)
{
	const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since);
	_trace.push_back(CommandTrace{command, reply.text, ms.count()});
}


std::vector<CommandTrace> SmtpConnection::takeTrace()
{
	std::vector<CommandTrace> out;
	out.swap(_trace);
	return out;
}


bool SmtpConnection::reusable()
{
	if (_state != State::Ready) return false;
	// Anything to read now is a close or a reply nobody asked for (421 on the peer's idle
	// timeout): this connection is done with. A poll without waiting, not a round trip.
	pollfd idle{_fd.load(), POLLIN, 0};
	if (_reader.buffered() > 0 || ::poll(&idle, 1, 0) != 0)
	{
		Poco::Logger::get("relay").debug("- cached connection closed by the peer peer=%s", _exchanger.describe());
		_state = State::Broken;
		return false;
	}
	if (_clean) return true;
	try
	{
		const Reply reply = exchange("RSET", false, "RSET");
		if (reply.code / 100 == 2)
		{
			_clean = true;
			return true;
		}
	}
	catch (const Poco::Exception& exc)
	{
		Poco::Logger::get("relay").debug("- cached connection unusable peer=%s error=%s", _exchanger.describe(), exc.displayText());
	}
	_state = State::Broken;
	return false;
}


SmtpTransaction SmtpConnection::send(const std::string& sender, const std::vector<std::string>& recipients, MessageSource& message)
{
	SmtpTransaction t;
	std::vector<bool> answered(recipients.size(), false);
	const char* step = "MAIL FROM";
	// Whoever has no answer yet when the connection breaks gets the same temporary result.
	const auto unanswered = [&](const RecipientResult& like) {
		for (std::size_t i = 0; i < recipients.size(); ++i)
		{
			if (answered[i]) continue;
			RecipientResult r = like;
			r.address = recipients[i];
			t.results.push_back(r);
			answered[i] = true;
		}
	};
	bool heard = false; // a reply to this transaction came
	const auto lostOn421 = [&](const Reply& reply) {
		t.unheard = !heard;
		unanswered(RecipientResult{{}, Outcome::Temporary, statusFromReply(reply.code, reply.text), reply.text, true});
		_state = State::Broken;
		_fd = -1;
		_socket.close();
		return t;
	};
	try
	{
		std::string mailFrom = "MAIL FROM:<" + sender + ">";
		if (_size) mailFrom += " SIZE=" + std::to_string(message.wireSize());
		// RFC 6152: 8-bit content is declared, as Postfix does; to a peer without 8BITMIME
		// it goes as it is (no MIME downgrade), which is what most MTAs then accept.
		if (_eightBitMime && message.eightBit()) mailFrom += " BODY=8BITMIME";
		const bool batched = _pipelining;
		if (batched)
		{
			std::string batch = mailFrom + "\r\n";
			for (const auto& r: recipients) batch += "RCPT TO:<" + r + ">\r\n";
			write(batch + "DATA\r\n");
		}
		_state = State::Mail;
		_clean = false;
		const Reply mail = exchange(mailFrom, batched, step);
		if (mail.code == 421) return lostOn421(mail);
		heard = true;
		const bool mailOk = mail.code / 100 == 2;
		if (!mailOk && !batched)
		{
			unanswered(resultOf({}, mail.code, mail.text));
			_state = State::Ready;
			return t;
		}
		_state = State::Rcpt;
		step = "RCPT TO";
		std::vector<std::size_t> accepted;
		bool tooMany = false;
		for (std::size_t i = 0; i < recipients.size(); ++i)
		{
			if (tooMany && !batched)
			{
				t.notTried.push_back(recipients[i]);
				answered[i] = true;
				continue;
			}
			const Reply rcpt = exchange("RCPT TO:<" + recipients[i] + ">", batched, step);
			if (!mailOk) continue; // pipelined after a refused MAIL: these replies mean nothing
			if (rcpt.code == 421) return lostOn421(rcpt);
			if (rcpt.code / 100 == 2) accepted.push_back(i);
			else if (tooMany || (rcpt.code == 452 && statusFromReply(rcpt.code, rcpt.text) == "4.5.3"))
			{
				tooMany = true;
				t.notTried.push_back(recipients[i]);
				answered[i] = true;
			}
			else
			{
				t.results.push_back(resultOf(recipients[i], rcpt.code, rcpt.text));
				answered[i] = true;
			}
		}
		if (!mailOk) unanswered(resultOf({}, mail.code, mail.text));
		step = "DATA";
		if (accepted.empty())
		{
			if (batched)
			{
				// The pipelined DATA still gets a reply; a server that says 354 anyway gets
				// an empty message, which it must refuse for lack of recipients (RFC 2920 3.1).
				const Reply data = readReply(step, Timespan(_commandTimeout.count(), 0));
				if (data.code == 354)
				{
					write(".\r\n");
					readReply("end of DATA", Timespan(_commandTimeout.count(), 0));
				}
				else if (data.code == 421) return lostOn421(data);
			}
			_state = State::Ready;
			return t;
		}
		_state = State::Data;
		const Reply data = exchange("DATA", batched, step);
		if (data.code == 421) return lostOn421(data);
		if (data.code != 354)
		{
			const Outcome outcome = data.code / 100 == 5 ? Outcome::Permanent : Outcome::Temporary;
			for (std::size_t i: accepted)
			{
				t.results.push_back(RecipientResult{recipients[i], outcome, statusFromReply(data.code, data.text), data.text, true});
				answered[i] = true;
			}
			_state = State::Ready;
			return t;
		}
		step = "end of DATA";
		const auto start = std::chrono::steady_clock::now();
		writeData(message);
		const Reply end = readReply(step, Timespan(_commandTimeout.count(), 0));
		trace(".", end, start);
		_clean = true; // the reply to the end of DATA ends the transaction, whatever it says
		for (std::size_t i: accepted)
		{
			t.results.push_back(resultOf(recipients[i], end.code, end.text));
			answered[i] = true;
		}
		++_messages;
		if (end.code == 421) return lostOn421(end);
		_state = State::Ready;
	}
	catch (const Poco::Exception& exc)
	{
		// Lost connection or timeout: whatever has no final answer is retried.
		t.unheard = !heard;
		unanswered(RecipientResult{{}, Outcome::Temporary, "4.4.2",
			"lost connection with " + _exchanger.describe() + " while sending " + step + ": " + exc.displayText(), false});
		_state = State::Broken;
		abort();
	}
	return t;
}


void SmtpConnection::quit()
{
	if (_state == State::Closed) return;
	try
	{
		if (_state != State::Broken)
		{
			write("QUIT\r\n");
			readReply("QUIT", Timespan(kQuitWaitSeconds, 0));
		}
	}
	catch (const Poco::Exception& exc)
	{
		Poco::Logger::get("relay").debug("- quit failed peer=%s error=%s", _exchanger.describe(), exc.displayText());
	}
	_fd = -1;
	try
	{
		_socket.close();
	}
	catch (const Poco::Exception&)
	{
		// Already reset by the peer: nothing to release.
	}
	_state = State::Closed;
}


void SmtpConnection::abort()
{
	// shutdown(2) on the descriptor, not Socket::shutdown(): on a TLS socket that would
	// write a close_notify through the SSL object another thread may be reading with.
	_aborted = true;
	// The descriptor is read from _fd, as _socket itself changes under the TLS handshake.
	const int fd = _fd.load();
	if (fd >= 0 && ::shutdown(fd, SHUT_RDWR) != 0)
		Poco::Logger::get("relay").debug("- abort shutdown failed peer=%s errno=%d", _exchanger.describe(), errno);
}


} // namespace mail
