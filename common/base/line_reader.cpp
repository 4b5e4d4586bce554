// line_reader.cpp - bounded, buffered line reading from a socket, with a deadline per line.
#include "common/base/line_reader.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketImpl.h>
#include <Poco/Timestamp.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>


namespace mail {


namespace {


bool waitReadable(Poco::Net::StreamSocket& socket, const Poco::Timespan& timeout)
/// poll(2) on the socket's own descriptor. Poco 1.11's Socket::poll creates an epoll
/// descriptor for every call, held while it waits: an idle session then costs two
/// descriptors, and half of max_sessions exhausted a 1024 limit. A TLS socket may hold
/// decrypted octets the kernel no longer sees, so those count as readable first.
{
	Poco::Net::SocketImpl* impl = socket.impl();
	if (socket.secure() && impl->available() > 0) return true;
	pollfd fd{};
	fd.fd = impl->sockfd();
	fd.events = POLLIN;
	const Poco::Timestamp started;
	for (;;)
	{
		const Poco::Timespan left = timeout - Poco::Timespan(started.elapsed());
		if (left <= 0) return false;
		// Round up, so a deadline under 1 ms still waits instead of spinning.
		const int ms = static_cast<int>(std::min<Poco::Timespan::TimeDiff>((left.totalMicroseconds() + 999) / 1000, 1 << 30));
		const int rc = ::poll(&fd, 1, ms);
		if (rc > 0) return true; // readable, hung up or in error: the recv() says which
		if (rc == 0) return false;
		if (errno != EINTR) throw Poco::Net::NetException("poll", std::strerror(errno), errno);
	}
}


} // namespace


const char* toString(ReadStatus status)
{
	switch (status)
	{
	case ReadStatus::Ok: return "ok";
	case ReadStatus::TooLong: return "too-long";
	case ReadStatus::Timeout: return "timeout";
	case ReadStatus::Closed: return "closed";
	}
	return "unknown";
}


LineReader::LineReader(Poco::Net::StreamSocket& socket, std::size_t bufferSize):
	_socket(&socket),
	_buffer(bufferSize)
{
}


void LineReader::switchTo(Poco::Net::StreamSocket& socket)
{
	_socket = &socket;
	discardBuffered();
}


bool LineReader::fill(const Poco::Timespan& remaining, ReadStatus& failure)
{
	if (_start == _end) _start = _end = 0;
	if (_end == _buffer.size())
	{
		std::memmove(_buffer.data(), _buffer.data() + _start, _end - _start);
		_end -= _start;
		_start = 0;
	}
	try
	{
		if (remaining <= 0 || !waitReadable(*_socket, remaining))
		{
			failure = ReadStatus::Timeout;
			return false;
		}
		const int n = _socket->receiveBytes(_buffer.data() + _end, static_cast<int>(_buffer.size() - _end));
		if (n <= 0)
		{
			failure = ReadStatus::Closed;
			return false;
		}
		_end += static_cast<std::size_t>(n);
		return true;
	}
	catch (const Poco::TimeoutException&)
	{
		failure = ReadStatus::Timeout;
	}
	catch (const Poco::Exception&)
	{
		failure = ReadStatus::Closed; // reset, shut down by the server at stop, or broken
	}
	return false;
}


ReadStatus LineReader::readLine(std::string& line, std::size_t maxLength, const Poco::Timespan& timeout)
{
	line.clear();
	const Poco::Timestamp started;
	bool tooLong = false;
	for (;;)
	{
		const char* begin = _buffer.data() + _start;
		const char* lf = static_cast<const char*>(std::memchr(begin, '\n', _end - _start));
		const std::size_t available = lf ? static_cast<std::size_t>(lf - begin) : _end - _start;
		if (!tooLong)
		{
			// Keep at most maxLength + 1 octets: the +1 may be the CR of the terminator.
			const std::size_t room = maxLength + 1 - line.size();
			if (available > room)
			{
				line.append(begin, room);
				tooLong = true;
			}
			else
			{
				line.append(begin, available);
			}
		}
		if (lf)
		{
			_start += available + 1;
			if (tooLong)
			{
				_crlf = available > 0 && begin[available - 1] == '\r';
				line.resize(maxLength);
				return ReadStatus::TooLong;
			}
			_crlf = !line.empty() && line.back() == '\r';
			if (_crlf) line.pop_back();
			if (line.size() > maxLength)
			{
				line.resize(maxLength);
				return ReadStatus::TooLong;
			}
			return ReadStatus::Ok;
		}
		_start = _end;
		ReadStatus failure = ReadStatus::Closed;
		if (!fill(timeout - Poco::Timespan(started.elapsed()), failure)) return failure;
	}
}


ReadStatus LineReader::readSome(char* data, std::size_t maxLength, std::size_t& got, const Poco::Timespan& timeout)
{
	got = 0;
	if (maxLength == 0) return ReadStatus::Ok;
	if (_start == _end)
	{
		ReadStatus failure = ReadStatus::Closed;
		if (!fill(timeout, failure)) return failure;
	}
	got = std::min(maxLength, _end - _start);
	std::memcpy(data, _buffer.data() + _start, got);
	_start += got;
	return ReadStatus::Ok;
}


} // namespace mail
