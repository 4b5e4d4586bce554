// spool_file.cpp - one message being received, written to disk as it arrives (LF line ends).
#include "server/mail/spool_file.h"

#include "server/store/durable_file.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>


namespace mail {


SpoolFile::SpoolFile(const std::string& directory):
	SpoolFile(createUniqueFile(directory))
{
}


SpoolFile::SpoolFile(OpenFile file):
	_path(std::move(file.path)),
	_fd(file.fd)
{
	_buffer.reserve(kBufferSize);
}


SpoolFile::~SpoolFile()
{
	if (_fd >= 0) ::close(_fd);
	::unlink(_path.c_str());
}


void SpoolFile::line(const std::string& text)
{
	if (_buffer.size() + text.size() + 1 > kBufferSize) flush();
	_buffer += text;
	_buffer += '\n';
	_size += text.size() + 1;
	++_lines;
	if (!_eightBit)
	{
		unsigned char any = 0; // one pass the compiler vectorises, not a branch per octet
		for (const char c: text) any |= static_cast<unsigned char>(c);
		_eightBit = (any & 0x80) != 0;
	}
}


void SpoolFile::startBody()
{
	_bodyStart = _size;
	_bodyStartLines = _lines;
	_eightBit = false;
}


void SpoolFile::rewrite(std::uint64_t offset, const std::string& text)
{
	flush();
	if (_error) std::rethrow_exception(_error);
	// The descriptor stays open after end() for this: no second open and close of the file.
	std::size_t done = 0;
	while (done < text.size())
	{
		const ssize_t n = ::pwrite(_fd, text.data() + done, text.size() - done, static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) throwErrno("cannot write", _path, errno);
		done += static_cast<std::size_t>(n);
	}
}


void SpoolFile::writeCrlfText(const std::string& text)
{
	std::size_t pos = 0;
	while (pos < text.size())
	{
		std::size_t nl = text.find('\n', pos);
		if (nl == std::string::npos) nl = text.size();
		std::size_t stop = nl;
		if (stop > pos && text[stop - 1] == '\r') --stop;
		line(text.substr(pos, stop - pos));
		pos = nl + 1;
	}
}


void SpoolFile::flush()
{
	if (_buffer.empty()) return;
	try
	{
		if (!_error)
		{
			if (_ended) throwErrno("cannot write (after the end)", _path, EBADF);
			writeAll(_fd, _buffer, _path);
		}
	}
	catch (...)
	{
		_error = std::current_exception();
	}
	_buffer.clear();
}


void SpoolFile::end()
{
	flush();
	_ended = true;
	if (_error) std::rethrow_exception(_error);
}


} // namespace mail
