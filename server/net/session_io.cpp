// session_io.cpp - what every line-based session shares: socket, bounded reader, one reply buffer.
#include "server/net/session_io.h"

#include "common/ops/log.h"
#include "server/net/tls_context.h"

#include <Poco/Exception.h>

#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/Session.h>

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>


namespace mail {


namespace {


/// Send once this much output is collected, even if the client pipelined more commands.
constexpr std::size_t kFlushThreshold = std::size_t{256} * 1024;
/// Keep at most this much buffer capacity between sends (a 10 MB RETR is not kept).
constexpr std::size_t kKeepCapacity = std::size_t{1024} * 1024;


} // namespace


SessionIo::SessionIo(Poco::Net::StreamSocket& socket, const std::string& id, Poco::Logger& log):
	_socket(socket),
	_id(id),
	_log(log),
	_reader(socket),
	_active(&socket)
{
}


std::string SessionIo::open(const Poco::Timespan& sendTimeout)
{
	std::string host = "unknown";
	std::string peer = "unknown";
	try
	{
		const Poco::Net::SocketAddress address = _socket.peerAddress();
		host = address.host().toString();
		peer = address.toString();
		_peer = peer;
		_socket.setNoDelay(true);
		_socket.setSendTimeout(sendTimeout);
	}
	catch (const Poco::Exception& exc)
	{
		_log.debug("%s socket setup failed error=%s", _id, exc.displayText());
	}
	poco_information_f(_log, "%s connected peer=%s", _id, peer); // formats only when the level asks
	return host;
}


void SessionIo::send(const std::string& line)
{
	if (_log.debug()) _log.debug("%s >>> %s", _id, quoteForLog(line));
	_out += line;
	_out += "\r\n";
}


void SessionIo::attach(std::shared_ptr<const std::string> text)
{
	if (!text || text->empty()) return;
	if (_tls)
	{
		_out += *text;
		return;
	}
	_attachedBytes += text->size();
	_attached.push_back(Attached{_out.size(), std::move(text)});
}


void SessionIo::rollback(const Mark& mark)
{
	_out.resize(std::min(mark.bytes, _out.size()));
	while (_attached.size() > mark.attached)
	{
		_attachedBytes -= _attached.back().text->size();
		_attached.pop_back();
	}
}


void SessionIo::flushAttached()
{
	// The pieces in order: _out up to each text, the text, ..., the rest of _out.
	std::vector<iovec> pieces;
	pieces.reserve(_attached.size() * 2 + 1);
	std::size_t from = 0;
	const auto add = [&pieces](const char* data, std::size_t length) {
		if (length > 0) pieces.push_back(iovec{const_cast<char*>(data), length});
	};
	for (const Attached& piece: _attached)
	{
		add(_out.data() + from, piece.at - from);
		add(piece.text->data(), piece.text->size());
		from = piece.at;
	}
	add(_out.data() + from, _out.size() - from);
	const int fd = _socket.impl()->sockfd();
	std::size_t next = 0;
	while (next < pieces.size())
	{
		msghdr message{};
		message.msg_iov = &pieces[next];
		message.msg_iovlen = std::min<std::size_t>(pieces.size() - next, IOV_MAX);
		// MSG_NOSIGNAL as in flush(); the socket's send timeout (SO_SNDTIMEO) applies.
		const ssize_t n = ::sendmsg(fd, &message, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) throw Poco::TimeoutException("send timed out");
		if (n <= 0) throw Poco::IOException("send failed");
		auto left = static_cast<std::size_t>(n);
		while (left > 0 && left >= pieces[next].iov_len) left -= pieces[next++].iov_len;
		if (left > 0)
		{
			pieces[next].iov_base = static_cast<char*>(pieces[next].iov_base) + left;
			pieces[next].iov_len -= left;
		}
	}
	_attached.clear();
	_attachedBytes = 0;
}


void SessionIo::flush()
{
	if (!_attached.empty())
	{
		flushAttached(); // _out goes with the texts
	}
	else
	{
		std::size_t sent = 0;
		while (sent < _out.size())
		{
			// MSG_NOSIGNAL: a vanished client is a send error, never a SIGPIPE, whatever thread runs us.
			const int n = _active->sendBytes(_out.data() + sent, static_cast<int>(_out.size() - sent), MSG_NOSIGNAL);
			if (n <= 0) throw Poco::IOException("send failed");
			sent += static_cast<std::size_t>(n);
		}
	}
	if (_out.capacity() > kKeepCapacity) std::string().swap(_out);
	else _out.clear();
}


void SessionIo::startTls(const Poco::Net::Context::Ptr& context, const Poco::Timespan& timeout)
{
	flush();
	_reader.discardBuffered();
	// The handshake reads with the socket's own timeout: a client that connects and
	// stays silent must not hold the thread.
	_socket.setReceiveTimeout(timeout);
	_tls = std::make_unique<Poco::Net::SecureStreamSocket>(Poco::Net::SecureStreamSocket::attach(_socket, context));
	_active = _tls.get();
	_reader.switchTo(*_tls);
	_log.debug("%s tls started", _id);
}


std::string SessionIo::tls() const
{
	// _tls is always a SecureStreamSocket (startTls); it is held as its base for _active.
	return _tls ? tlsDescription(static_cast<Poco::Net::SecureStreamSocket&>(*_tls)) : std::string();
}


void SessionIo::flushUnlessPipelined()
{
	if (_reader.buffered() == 0 || queued() >= kFlushThreshold) flush();
}


bool SessionIo::tlsInfo(std::string& version, std::string& cipher)
{
	if (!_tls) return false;
	// startTls() made it a SecureStreamSocket.
	auto* secure = static_cast<Poco::Net::SecureStreamSocket*>(_tls.get());
	// The handshake is lazy (the first read does it); the session exists only after it.
	// Doing it now changes nothing but when a broken handshake is noticed.
	secure->completeHandshake();
	const Poco::Net::Session::Ptr session = secure->currentSession();
	if (!session || !session->sslSession()) return false;
	switch (SSL_SESSION_get_protocol_version(session->sslSession()))
	{
	case TLS1_3_VERSION: version = "TLSv1.3"; break;
	case TLS1_2_VERSION: version = "TLSv1.2"; break;
	case TLS1_1_VERSION: version = "TLSv1.1"; break;
	default: version = "TLS"; break;
	}
	const SSL_CIPHER* suite = SSL_SESSION_get0_cipher(session->sslSession());
	cipher = suite ? SSL_CIPHER_get_name(suite) : "";
	return true;
}


Poco::Timespan SessionIo::lifetimeLeft(std::chrono::seconds maxSessionTime) const
{
	const Poco::Timespan left = toTimespan(maxSessionTime) - Poco::Timespan(_started.elapsed());
	return left > 0 ? left : Poco::Timespan(0);
}


Poco::Timespan SessionIo::commandDeadline(std::chrono::seconds commandTimeout, std::chrono::seconds maxSessionTime) const
{
	return std::min(toTimespan(commandTimeout), lifetimeLeft(maxSessionTime));
}


} // namespace mail
