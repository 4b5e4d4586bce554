// session_io.h - what every line-based session shares: socket, bounded reader, one reply buffer.
#pragma once

#include "common/base/line_reader.h"

#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>


namespace mail {


inline Poco::Timespan toTimespan(std::chrono::seconds seconds)
/// A configured timeout (limits.*) as Poco's sockets take it.
{
	return Poco::Timespan(static_cast<long>(seconds.count()), 0);
}


class SessionIo
/// The I/O half of an SMTP or POP3 session. Replies are collected in one buffer and
/// sent by flush() (the only send path), so a pipelined batch of commands is answered
/// with one send(). The session decides what the replies say; this decides how and
/// when they go out.
{
public:
	SessionIo(Poco::Net::StreamSocket& socket, const std::string& id, Poco::Logger& log);

	std::string open(const Poco::Timespan& sendTimeout);
	/// Sets up the socket (no Nagle, a send timeout so a client that stops reading
	/// cannot hold the thread) and logs "ID connected peer=HOST:PORT". Returns the
	/// peer's host address, "unknown" if the client is already gone (the first send
	/// then fails and the session ends as lost).

	ReadStatus readLine(std::string& line, std::size_t maxLength, const Poco::Timespan& timeout)
	{
		return _reader.readLine(line, maxLength, timeout);
	}
	LineReader& reader() { return _reader; }

	void send(const std::string& line);
	/// Queues one reply line; CRLF is added. Traced ">>>" at debug level.
	std::string& buffer() { return _out; }
	/// The queued output, for bulk multi-line bodies (RETR, LIST) appended in place
	/// and not traced; each line must end in CRLF.

	void attach(std::shared_ptr<const std::string> text);
	/// Queues text (a message as RETR or FETCH sends it) after what is queued now, without
	/// copying it: flush() hands it to the kernel from where it is, between the buffer's
	/// pieces, in one sendmsg(). Under TLS it is copied into the buffer (one record stream).
	std::size_t queued() const { return _out.size() + _attachedBytes; } ///< octets flush() would send

	struct Mark
	{
		std::size_t bytes = 0;    ///< the buffer's size then
		std::size_t attached = 0; ///< texts attached then
	};
	Mark mark() const { return Mark{_out.size(), _attached.size()}; }
	void rollback(const Mark& mark);
	/// Drops what was queued since mark (a reply abandoned half-way, e.g. an unreadable
	/// message); mark must be from after the last flush().

	void flush();
	/// Sends everything queued. Throws Poco::Exception when the client is gone or
	/// stopped reading for longer than the send timeout.
	void flushUnlessPipelined();
	/// Sends what is queued unless more commands are already buffered (they will add
	/// their replies to the same send) and the buffer is still small.

	void startTls(const Poco::Net::Context::Ptr& context, const Poco::Timespan& timeout);
	/// Drops buffered input (never commands: RFC 3207 section 4), runs the server side
	/// handshake within timeout, and from then on reads and writes through TLS. Throws
	/// Poco::Exception when the handshake fails; the session is then over.
	bool secure() const { return _tls != nullptr; }
	std::string tls() const;
	/// "TLSv1.3 with cipher ... (256/256 bits)" once the handshake is done, else empty.

	const std::string& id() const { return _id; }
	const std::string& peer() const { return _peer; } ///< "ADDR:PORT" once open(), for the journal
	std::int64_t ageMs() const { return _started.elapsed() / 1000; }
	bool tlsInfo(std::string& version, std::string& cipher);
	/// The protocol version ("TLSv1.3") and cipher name of the TLS session; false without TLS.

	Poco::Timespan lifetimeLeft(std::chrono::seconds maxSessionTime) const;
	/// What is left of limits.max_session_time since the session started (0 when used up).
	Poco::Timespan commandDeadline(std::chrono::seconds commandTimeout, std::chrono::seconds maxSessionTime) const;
	/// How long the next command line may take: the idle timeout, cut to the lifetime left,
	/// so a client trickling one byte at a time cannot keep a session past its lifetime.

private:
	void flushAttached(); ///< flush() with attached texts: one sendmsg() of every piece (plain sockets only)

	Poco::Net::StreamSocket& _socket; ///< the plain connection (the listener shuts it at stop)
	const std::string _id;
	std::string _peer = "unknown";
	Poco::Logger& _log;
	LineReader _reader;
	std::string _out; ///< replies not yet sent
	struct Attached
	{
		std::size_t at; ///< goes out after _out's first `at` octets
		std::shared_ptr<const std::string> text;
	};
	std::vector<Attached> _attached; ///< texts queued by attach(), in order
	std::size_t _attachedBytes = 0;
	std::unique_ptr<Poco::Net::StreamSocket> _tls; ///< the same connection through TLS, once started
	Poco::Net::StreamSocket* _active;              ///< where flush() writes: _socket, then _tls
	const Poco::Timestamp _started;
};


} // namespace mail
