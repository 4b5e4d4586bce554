// fault_commands.h - `fault add|list|clear` requests on the control socket.
#pragma once

#include "server/faults/fault_rules.h"

#include <string>


namespace mail {


std::string handleFaultRequest(FaultRules& faults, const std::string& request);
/// The whole response (`ok` or `error MESSAGE` first, as control_service.h) to the
/// request after the word `fault`:
///   `add RULE-YAML`  one rule in flow YAML, checked as the config checks it;
///   `list`           one line per rule: its number, hit count and YAML;
///   `clear`          removes every rule (until SIGHUP reloads the config's).

std::string formatFaultList(const std::vector<FaultRuleStatus>& rules);
/// `fault list` output: "1 hits=3 {stage: rcpt, ...}" per rule, "no fault rules" for none.


} // namespace mail
