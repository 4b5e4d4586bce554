// spare_files.cpp - empty files created in one directory ahead of need, handed out open.
#include "server/store/spare_files.h"

#include "server/store/durable_file.h"

#include <Poco/Process.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>


namespace mail {


namespace {


std::atomic<unsigned long> fileCounter{0};


void discard(const OpenFile& file)
{
	::close(file.fd);
	::unlink(file.path.c_str());
}


} // namespace


OpenFile createUniqueFile(const std::string& directory)
{
	OpenFile file;
	file.path = directory + "/" + std::to_string(Poco::Timestamp().epochMicroseconds()) + "." + std::to_string(Poco::Process::id()) + "." + std::to_string(++fileCounter) + ".spool";
	file.fd = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (file.fd < 0) throwErrno("cannot create", file.path, errno);
	return file;
}


SpareFiles::SpareFiles(std::size_t keep):
	_keep(keep)
{
}


SpareFiles::~SpareFiles()
{
	for (const OpenFile& file: _spare) discard(file);
}


OpenFile SpareFiles::take(const std::string& directory)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_spare.empty() && _directory == directory)
		{
			OpenFile file = std::move(_spare.back());
			_spare.pop_back();
			return file;
		}
	}
	return createUniqueFile(directory);
}


void SpareFiles::refill(const std::string& directory) noexcept
{
	for (;;)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_directory != directory)
			{
				for (const OpenFile& file: _spare) discard(file);
				_spare.clear();
				_directory = directory;
			}
			// The files being created count: sessions refilling at once must not make more
			// than keep and remove the extra ones. A file created and removed at once costs
			// an inode allocation and a free, and on ext4 without a journal every later
			// allocation in that block group steps over the freed inode for as long as its
			// inode table block is dirty (recently_deleted(): up to 300 s).
			if (_spare.size() + _creating >= _keep) return;
			++_creating;
		}
		// Created outside the lock: take() is never held up by another session's create.
		OpenFile file;
		bool created = false;
		try
		{
			file = createUniqueFile(directory);
			created = true;
		}
		catch (...)
		{
		}
		std::lock_guard<std::mutex> lock(_mutex);
		--_creating;
		if (!created) return;
		if (_directory != directory)
		{
			discard(file); // the spares moved to another directory meanwhile
			return;
		}
		_spare.push_back(std::move(file));
	}
}


std::size_t SpareFiles::spare() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _spare.size();
}


} // namespace mail
