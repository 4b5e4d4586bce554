// control_socket.h - a daemon's operator socket: one request line in, one response out.
//
// mail-server (DATA/NAME/control.sock) and mail-dns (mail-dns-PORT.sock beside the config)
// are operated through a Unix stream socket, mode 0600, one request per connection:
//   request:  one line (at most 4096 octets);
//   response: `ok` or `error MESSAGE` on the first line, then the output; then close.
#pragma once

#include <Poco/Thread.h>

#include <atomic>
#include <functional>
#include <ostream>
#include <string>


namespace mail {


class ControlSocket
{
public:
	using Handler = std::function<std::string(const std::string& request)>;

	ControlSocket(const std::string& path, Handler handler);
	~ControlSocket();

	void start();
	///< Binds the socket (replacing a stale one: the caller holds whatever makes it its
	///  own) and starts its thread. Throws Poco::IOException when it cannot bind.
	void stop();

	const std::string& path() const { return _path; }

private:
	void run();
	void serve(int client);

	std::string _path;
	Handler _handler;
	int _listen = -1;
	std::atomic<bool> _stop{false};
	Poco::Thread _thread{"control"};
};


int sendControlRequest(const std::string& program, const std::string& socketPath, const std::string& request,
	std::ostream& out, std::ostream& err);
///< Sends the request line to a ControlSocket and copies the output to out. Returns 0 on
///  `ok`, 1 on `error MESSAGE` (printed to err after "PROGRAM: "), 69 when nothing
///  listens there (the daemon is not running).


} // namespace mail
