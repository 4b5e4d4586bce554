// fault_commands.cpp - `fault add|list|clear` requests on the control socket.
#include "server/control/fault_commands.h"

#include <Poco/String.h>

#include <stdexcept>


namespace mail {


std::string formatFaultList(const std::vector<FaultRuleStatus>& rules)
{
	if (rules.empty()) return "no fault rules\n";
	std::string out;
	for (std::size_t i = 0; i < rules.size(); ++i)
		out += std::to_string(i + 1) + " hits=" + std::to_string(rules[i].hits) + " " + toYaml(rules[i].rule) + "\n";
	return out;
}


std::string handleFaultRequest(FaultRules& faults, const std::string& request)
{
	const std::string verb = request.substr(0, request.find(' '));
	const std::string rest = Poco::trim(request.substr(verb.size()));
	if (verb == "list" && rest.empty()) return "ok\n" + formatFaultList(faults.list());
	if (verb == "clear" && rest.empty()) return "ok\n" + std::to_string(faults.clear()) + " fault rules cleared\n";
	if (verb == "add" && !rest.empty())
	{
		FaultRule rule;
		try
		{
			rule = parseFaultRule(rest);
		}
		catch (const std::invalid_argument& exc)
		{
			return "error " + std::string(exc.what()) + "\n";
		}
		faults.add(rule);
		return "ok\nadded " + toYaml(rule) + "\n";
	}
	return "error unknown request (fault add RULE-YAML | fault list | fault clear)\n";
}


} // namespace mail
