// queued_message.cpp - reading an open queue entry's message in pieces (pread, no shared offset).
#include "server/store/queue/queued_message.h"

#include "server/message/line_ends.h"
#include "server/store/durable_file.h"

#include <algorithm>
#include <cerrno>
#include <unistd.h>
#include <vector>


namespace mail {


QueuedMessage::QueuedMessage(int fd, std::string path, std::uint64_t offset, std::uint64_t size, std::uint64_t wireSize,
	bool lfLines, bool eightBit):
	_fd(fd),
	_path(std::move(path)),
	_offset(offset),
	_size(size),
	_wireSize(wireSize),
	_lfLines(lfLines),
	_eightBit(eightBit)
{
}


QueuedMessage::~QueuedMessage()
{
	if (_fd >= 0) ::close(_fd);
}


QueuedMessage::QueuedMessage(QueuedMessage&& other) noexcept:
	_fd(other._fd),
	_path(std::move(other._path)),
	_offset(other._offset),
	_size(other._size),
	_wireSize(other._wireSize),
	_lfLines(other._lfLines),
	_eightBit(other._eightBit),
	_pos(other._pos)
{
	other._fd = -1;
}


std::size_t QueuedMessage::readAt(char* buffer, std::size_t size, std::uint64_t at) const
{
	if (at >= _size) return 0;
	const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, _size - at));
	std::size_t done = 0;
	while (done < want)
	{
		const ssize_t n = ::pread(_fd, buffer + done, want - done, static_cast<off_t>(_offset + at + done));
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) throwErrno("cannot read", _path, errno);
		if (n == 0) throw DurableFileError("message shorter than recorded in", _path, EIO);
		done += static_cast<std::size_t>(n);
	}
	return done;
}


std::size_t QueuedMessage::read(char* buffer, std::size_t size)
{
	const std::size_t n = readAt(buffer, size, _pos);
	_pos += n;
	return n;
}


std::string QueuedMessage::whole()
{
	std::string out;
	std::vector<char> buffer(std::size_t{64} * 1024);
	for (std::uint64_t at = 0;;)
	{
		const std::size_t n = readAt(buffer.data(), buffer.size(), at);
		if (n == 0) break;
		at += n;
		const std::string piece(buffer.data(), n);
		out += _lfLines ? lfToCrlf(piece) : piece;
	}
	return out;
}


} // namespace mail
