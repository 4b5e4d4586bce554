// control_client.cpp - `mail-server -n NAME queue ...`: one request to the running server.
#include "server/control/control_client.h"

#include "common/errors.h"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>


namespace mail {


int sendControlRequest(const std::string& socketPath, const std::string& request, std::ostream& out, std::ostream& err)
{
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	if (socketPath.size() >= sizeof address.sun_path)
	{
		err << "mail-server: control socket path too long: " << socketPath << std::endl;
		return ExitUnavailable;
	}
	std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size() + 1);
	const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
	{
		err << "mail-server: the server is not running (cannot connect to " << socketPath << ": "
			<< std::strerror(errno) << ")" << std::endl;
		if (fd >= 0) ::close(fd);
		return ExitUnavailable;
	}
	const std::string line = request + "\n";
	::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
	std::string response;
	char buf[4096];
	for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
	::close(fd);
	const std::size_t eol = response.find('\n');
	const std::string status = response.substr(0, eol);
	const std::string rest = eol == std::string::npos ? "" : response.substr(eol + 1);
	if (status == "ok")
	{
		out << rest << std::flush;
		return ExitOk;
	}
	err << "mail-server: " << (status.rfind("error ", 0) == 0 ? status.substr(6) : "no answer from the server")
		<< std::endl;
	return 1;
}


} // namespace mail
