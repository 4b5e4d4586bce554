// fixtures.h - shared helpers for the unit tests: temp dirs, files, loopback sockets.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <set>
#include <string>


namespace mail {
namespace test {


class TempDir
/// A fresh directory under /tmp, removed with everything in it at destruction.
{
public:
	TempDir();
	~TempDir();

	const std::string& path() const { return _path; }
	std::string file(const std::string& name) const { return _path + "/" + name; }
	std::string write(const std::string& name, const std::string& content) const;
	/// Writes a file in the directory, returns its path.

private:
	std::string _path;
};


struct SocketPair
/// A connected pair of TCP sockets on 127.0.0.1 (client, server side).
{
	SocketPair();

	Poco::Net::StreamSocket client;
	Poco::Net::StreamSocket server;
};


std::set<std::string> filesIn(const std::string& dir);
/// The names in dir (none when it does not exist), sorted.


} // namespace test
} // namespace mail
