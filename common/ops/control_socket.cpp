// control_socket.cpp - a daemon's operator socket: one request line in, one response out.
#include "common/ops/control_socket.h"

#include "common/base/errors.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>


namespace mail {


namespace {


constexpr int kPollMillis = 200;          ///< how soon stop() is noticed
constexpr std::size_t kMaxRequest = 4096; ///< a `fault add` rule in flow YAML fits


} // namespace


ControlSocket::ControlSocket(const std::string& path, Handler handler):
	_path(path), _handler(std::move(handler))
{
}


ControlSocket::~ControlSocket()
{
	stop();
}


void ControlSocket::start()
{
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	if (_path.size() >= sizeof address.sun_path)
		throw Poco::IOException("control socket path too long (" + std::to_string(_path.size()) + " octets)", _path);
	std::memcpy(address.sun_path, _path.c_str(), _path.size() + 1);
	_listen = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (_listen < 0) throw Poco::IOException("socket", std::strerror(errno));
	::unlink(_path.c_str());
	// 0600 from the start: whoever may use it may delete mail or change faults.
	const mode_t old = ::umask(0177);
	const int bound = ::bind(_listen, reinterpret_cast<const sockaddr*>(&address), sizeof address);
	::umask(old);
	if (bound != 0 || ::listen(_listen, 8) != 0)
	{
		const std::string why = std::strerror(errno);
		::close(_listen);
		_listen = -1;
		throw Poco::IOException("cannot listen on " + _path, why);
	}
	_thread.startFunc([this] { run(); });
}


void ControlSocket::stop()
{
	if (_listen < 0) return;
	_stop = true;
	_thread.join();
	::close(_listen);
	_listen = -1;
	::unlink(_path.c_str());
}


void ControlSocket::run()
{
	while (!_stop)
	{
		pollfd p{_listen, POLLIN, 0};
		if (::poll(&p, 1, kPollMillis) <= 0) continue;
		const int client = ::accept4(_listen, nullptr, nullptr, SOCK_CLOEXEC);
		if (client < 0) continue;
		serve(client);
		::close(client);
	}
}


void ControlSocket::serve(int client)
{
	// One short line; a client that does not send it within a second is dropped.
	timeval timeout{1, 0};
	::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	std::string request;
	char c;
	while (request.size() < kMaxRequest && ::recv(client, &c, 1, 0) == 1 && c != '\n') request += c;
	std::string response;
	try
	{
		response = _handler(Poco::trim(request));
	}
	catch (const Poco::Exception& exc)
	{
		response = "error " + exc.displayText() + "\n";
	}
	catch (const std::exception& exc)
	{
		response = "error " + std::string(exc.what()) + "\n";
	}
	for (std::size_t sent = 0; sent < response.size();)
	{
		const ssize_t n = ::send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
		if (n <= 0) break;
		sent += static_cast<std::size_t>(n);
	}
}


int sendControlRequest(const std::string& program, const std::string& socketPath, const std::string& request,
	std::ostream& out, std::ostream& err)
{
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	if (socketPath.size() >= sizeof address.sun_path)
	{
		err << program << ": control socket path too long: " << socketPath << std::endl;
		return ExitUnavailable;
	}
	std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size() + 1);
	const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
	{
		err << program << ": not running (cannot connect to " << socketPath << ": "
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
	err << program << ": " << (status.rfind("error ", 0) == 0 ? status.substr(6) : "no answer")
		<< std::endl;
	return 1;
}


} // namespace mail
