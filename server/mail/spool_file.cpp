// spool_file.cpp - one message being received, written to disk as it arrives (LF line ends).
#include "server/mail/spool_file.h"

#include "server/store/durable_file.h"

#include <Poco/Process.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>


namespace mail {


namespace {


std::atomic<unsigned long> spoolCounter{0};


} // namespace


SpoolFile::SpoolFile(const std::string& directory)
{
	const auto micros = Poco::Timestamp().epochMicroseconds();
	_path = directory + "/" + std::to_string(micros) + "." + std::to_string(Poco::Process::id()) + "."
		+ std::to_string(++spoolCounter) + ".spool";
	_fd = ::open(_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (_fd < 0) throwErrno("cannot create", _path, errno);
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
			if (_fd < 0) throwErrno("cannot write (closed)", _path, EBADF);
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
	if (_fd >= 0 && ::close(_fd) != 0 && !_error)
		_error = std::make_exception_ptr(DurableFileError("cannot close", _path, errno));
	_fd = -1;
	if (_error) std::rethrow_exception(_error);
}


} // namespace mail
