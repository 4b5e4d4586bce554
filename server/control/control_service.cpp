// control_service.cpp - the operator's control socket (DATA/NAME/control.sock).
#include "server/control/control_service.h"

#include "server/control/fault_commands.h"
#include "server/control/queue_report.h"

#include <Poco/Exception.h>
#include <Poco/String.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>


namespace mail {


namespace {


constexpr int kPollMillis = 200;          ///< how soon stop() is noticed
constexpr std::size_t kMaxRequest = 4096; ///< a `fault add` rule in flow YAML fits


std::string answer(QueueOpResult result, const std::string& what)
{
	if (result == QueueOpResult::Done) return "ok\n" + what + "\n";
	return "error " + std::string(describe(result)) + "\n";
}


} // namespace


ControlService::ControlService(const std::string& socketPath, RelayQueue& queue, RelayService& relay, FaultRules& faults):
	_path(socketPath),
	_queue(queue),
	_relay(relay),
	_faults(faults),
	_log(Poco::Logger::get("app"))
{
}


ControlService::~ControlService()
{
	stop();
}


void ControlService::start()
{
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	if (_path.size() >= sizeof address.sun_path)
		throw Poco::IOException("control socket path too long (" + std::to_string(_path.size()) + " octets)", _path);
	std::memcpy(address.sun_path, _path.c_str(), _path.size() + 1);
	_listen = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (_listen < 0) throw Poco::IOException("socket", std::strerror(errno));
	::unlink(_path.c_str());
	// 0600 from the start: whoever may use it may delete mail.
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


void ControlService::stop()
{
	if (_listen < 0) return;
	_stop = true;
	_thread.join();
	::close(_listen);
	_listen = -1;
	::unlink(_path.c_str());
}


void ControlService::run()
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


void ControlService::serve(int client)
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
		response = handle(Poco::trim(request));
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


std::string ControlService::handle(const std::string& request)
{
	std::istringstream in(request);
	std::vector<std::string> words;
	for (std::string w; in >> w;) words.push_back(w);
	const std::string verb = words.empty() ? "" : words[0];
	_log.information("- control request=\"%s\"", request);
	if (verb == "queue" && words.size() <= 2)
	{
		const bool json = words.size() == 2 && words[1] == "--json";
		if (words.size() == 2 && !json) return "error unknown option " + words[1] + "\n";
		const auto entries = queueReport(_queue, _relay.scheduleSnapshot());
		return "ok\n" + (json ? formatQueueJson(entries) : formatQueueText(entries));
	}
	if (verb == "fault") return handleFaultRequest(_faults, Poco::trim(request.substr(verb.size())));
	if (verb == "retry" && words.size() == 2 && words[1] == "--all")
		return "ok\n" + std::to_string(_relay.retryAll()) + " messages due now\n";
	if (words.size() == 2)
	{
		const std::string& id = words[1];
		if (verb == "retry") return answer(_relay.retryNow(id), id + " due now");
		if (verb == "hold") return answer(_relay.hold(id), id + " held");
		if (verb == "release") return answer(_relay.release(id), id + " released, due now");
		if (verb == "delete") return answer(_relay.remove(id, "mail-server queue delete"), id + " deleted; the sender gets a bounce");
	}
	return "error unknown request (queue [--json] | retry ID|--all | delete ID | hold ID | release ID | fault add RULE-YAML|list|clear)\n";
}


} // namespace mail
