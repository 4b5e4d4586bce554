// durable_file.cpp - crash-safe file primitives shared by the Maildir store and the relay queue.
#include "server/store/durable_file.h"

#include <cerrno>
#include <cstring>
#include <typeinfo>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


namespace mail {


DurableFileError::DurableFileError(const std::string& what, const std::string& path, int error):
	Poco::FileException(what + " " + path + ": " + std::strerror(error)),
	_path(path),
	_error(error)
{
}


const char* DurableFileError::name() const noexcept
{
	return Poco::FileException::name();
}


const char* DurableFileError::className() const noexcept
{
	return typeid(*this).name();
}


Poco::Exception* DurableFileError::clone() const
{
	return new DurableFileError(*this);
}


void DurableFileError::rethrow() const
{
	throw *this;
}


void throwErrno(const std::string& what, const std::string& path, int error)
{
	throw DurableFileError(what, path, error);
}


void writeAll(int fd, const std::string& data, const std::string& path)
{
	std::size_t done = 0;
	while (done < data.size())
	{
		const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			throwErrno("cannot write", path, errno);
		}
		done += static_cast<std::size_t>(n);
	}
}


void syncDirectory(const std::string& dir)
{
	const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) throwErrno("cannot open directory", dir, errno);
	const int rc = ::fsync(fd);
	const int error = errno; // before close() can overwrite it
	::close(fd);
	if (rc != 0) throwErrno("cannot fsync directory", dir, error);
}


bool makeDirectory(const std::string& path)
{
	if (::mkdir(path.c_str(), 0700) == 0) return true;
	if (errno == EEXIST) return false;
	throwErrno("cannot create directory", path, errno);
}


void writeFile(const std::string& path, const std::string& data, bool sync)
{
	const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) throwErrno("cannot create", path, errno);
	try
	{
		writeAll(fd, data, path);
		if (sync && ::fsync(fd) != 0) throwErrno("cannot fsync", path, errno);
	}
	catch (...)
	{
		::close(fd);
		::unlink(path.c_str());
		throw;
	}
	if (::close(fd) != 0)
	{
		const int error = errno;
		::unlink(path.c_str());
		throwErrno("cannot close", path, error);
	}
}


void writeFileDurably(const std::string& finalPath, const std::string& tmpPath, const std::string& data)
{
	writeFile(tmpPath, data, true);
	if (::rename(tmpPath.c_str(), finalPath.c_str()) != 0)
	{
		const int error = errno;
		::unlink(tmpPath.c_str());
		throwErrno("cannot rename", tmpPath, error);
	}
}


bool readWholeFileIfExists(const std::string& path, std::string& data)
{
	const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ENOENT) return false;
		throwErrno("cannot open", path, errno);
	}
	data.clear();
	char buffer[65536];
	for (;;)
	{
		const ssize_t n = ::read(fd, buffer, sizeof buffer);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			const int error = errno;
			::close(fd);
			throwErrno("cannot read", path, error);
		}
		if (n == 0) break;
		data.append(buffer, static_cast<std::size_t>(n));
	}
	::close(fd);
	return true;
}


std::string readWholeFile(const std::string& path)
{
	std::string data;
	if (!readWholeFileIfExists(path, data)) throwErrno("cannot open", path, ENOENT);
	return data;
}


} // namespace mail
