// control_service.cpp - the operator's control socket (DATA/NAME/control.sock).
#include "server/control/control_service.h"

#include "server/control/fault_commands.h"
#include "server/control/queue_report.h"

#include <Poco/String.h>

#include <sstream>
#include <vector>


namespace mail {


namespace {


std::string answer(QueueOpResult result, const std::string& what)
{
	if (result == QueueOpResult::Done) return "ok\n" + what + "\n";
	return "error " + std::string(describe(result)) + "\n";
}


} // namespace


ControlService::ControlService(const std::string& socketPath, RelayQueue& queue, RelayService& relay, FaultRules& faults):
	_socket(socketPath, [this](const std::string& request) { return handle(request); }),
	_queue(queue),
	_relay(relay),
	_faults(faults),
	_log(Poco::Logger::get("app"))
{
}


void ControlService::start()
{
	_socket.start();
}


void ControlService::stop()
{
	_socket.stop();
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
