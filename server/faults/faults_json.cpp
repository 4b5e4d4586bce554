// faults_json.cpp - the fault rules as the HTTP API shows and takes them.
#include "server/faults/faults_json.h"

#include <Poco/JSON/Array.h>


namespace mail {


namespace {


Poco::JSON::Object::Ptr ordered()
{
	return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}


} // namespace


Poco::JSON::Object::Ptr faultsJson(const std::vector<FaultRuleStatus>& rules)
{
	Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
	for (std::size_t i = 0; i < rules.size(); ++i)
	{
		Poco::JSON::Object::Ptr item = ordered();
		item->set("index", i + 1);
		item->set("hits", rules[i].hits);
		item->set("stage", std::string(toString(rules[i].rule.stage)));
		item->set("action", std::string(toString(rules[i].rule.action)));
		item->set("rule", toYaml(rules[i].rule));
		list->add(item);
	}
	Poco::JSON::Object::Ptr body = ordered();
	body->set("rules", list);
	return body;
}


Poco::JSON::Object::Ptr addFaultJson(FaultRules& faults, const std::string& body)
{
	const FaultRule rule = parseFaultRule(body);
	Poco::JSON::Object::Ptr answer = ordered();
	answer->set("index", faults.add(rule));
	answer->set("rule", toYaml(rule));
	return answer;
}


Poco::JSON::Object::Ptr clearFaultsJson(FaultRules& faults)
{
	Poco::JSON::Object::Ptr answer = ordered();
	answer->set("cleared", faults.clear());
	return answer;
}


} // namespace mail
