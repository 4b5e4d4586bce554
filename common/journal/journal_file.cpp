// journal_file.cpp - appending journal lines, rotating to PATH.1 by size.
#include "common/journal/journal_file.h"

#include <Poco/Exception.h>
#include <Poco/File.h>


namespace mail {


JournalFile::JournalFile(std::string path, std::uint64_t maxBytes):
	_path(std::move(path)),
	_maxBytes(maxBytes)
{
	open();
}


void JournalFile::open()
{
	_out.open(_path, std::ios::out | std::ios::app | std::ios::binary);
	if (!_out) throw Poco::FileException("cannot open journal file", _path);
	_size = Poco::File(_path).getSize();
}


void JournalFile::rotate()
{
	_out.close();
	Poco::File(_path).renameTo(_path + ".1");
	open();
}


void JournalFile::write(const std::vector<std::string>& lines)
{
	for (const std::string& line: lines)
	{
		if (_size >= _maxBytes) rotate();
		_out << line << '\n';
		_size += line.size() + 1;
	}
	// One flush per batch: a reader of the file sees whole lines soon after they happen.
	_out.flush();
	if (!_out) throw Poco::WriteFileException("journal file", _path);
}


} // namespace mail
