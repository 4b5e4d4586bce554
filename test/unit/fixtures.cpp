// fixtures.cpp - shared helpers for the unit tests.
#include "test/unit/fixtures.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <fstream>
#include <stdexcept>


namespace mail {
namespace test {


TempDir::TempDir():
	_path(Poco::TemporaryFile::tempName("/tmp"))
{
	Poco::File(_path).createDirectories();
}


TempDir::~TempDir()
{
	try
	{
		Poco::File(_path).remove(true);
	}
	catch (const Poco::Exception&)
	{
		// a test removed it already
	}
}


std::string TempDir::write(const std::string& name, const std::string& content) const
{
	std::string path = file(name);
	std::ofstream out(path, std::ios::binary);
	out << content;
	if (!out) throw std::runtime_error("cannot write " + path);
	return path;
}


SocketPair::SocketPair()
{
	Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
	client.connect(listener.address());
	server = listener.acceptConnection();
}


std::set<std::string> filesIn(const std::string& dir)
{
	std::set<std::string> names;
	if (!Poco::File(dir).exists()) return names;
	for (Poco::DirectoryIterator it(dir), end; it != end; ++it) names.insert(it.name());
	return names;
}


} // namespace test
} // namespace mail
