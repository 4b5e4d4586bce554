// control_service.h - the operator's control socket (DATA/NAME/control.sock).
//
// `mail-server -n NAME queue ...` talks to the running server here rather than touching
// the queue itself: the relay owns the queue, so every change goes through it. A Unix
// stream socket (common/control_socket: mode 0600, it can delete mail), one request per
// connection:
//   request:  one line, `queue [--json]` | `retry ID` | `retry --all` | `delete ID` |
//             `hold ID` | `release ID` | `fault add RULE-YAML` | `fault list` | `fault clear`
//   response: `ok` or `error MESSAGE` on the first line, then the output; then close.
#pragma once

#include "common/ops/control_socket.h"
#include "server/faults/fault_rules.h"
#include "server/store/queue/relay_queue.h"
#include "server/relay/relay_service.h"

#include <Poco/Logger.h>

#include <string>


namespace mail {


class ControlService
{
public:
	ControlService(const std::string& socketPath, RelayQueue& queue, RelayService& relay, FaultRules& faults);

	void start();
	///< Binds the socket (replacing a stale one: the instance lock is held) and starts its
	///  thread. Throws Poco::IOException when it cannot bind.
	void stop();

	std::string handle(const std::string& request);
	///< The whole response to one request line (also for tests).

	static std::string socketPath(const std::string& dataDir) { return dataDir + "/control.sock"; }

private:
	ControlSocket _socket; ///< common/control_socket: the socket and its thread
	RelayQueue& _queue;
	RelayService& _relay;
	FaultRules& _faults;
	Poco::Logger& _log;
};


} // namespace mail
