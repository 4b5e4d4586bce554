// faults_json.h - the fault rules as the HTTP API shows and takes them (docs/api.md /api/v1/faults).
//
// Kept apart from the router so the shapes are unit-tested on their own; the route file
// only maps GET, POST and DELETE onto these.
#pragma once

#include "server/faults/fault_rules.h"

#include <Poco/JSON/Object.h>

#include <string>


namespace mail {


Poco::JSON::Object::Ptr faultsJson(const std::vector<FaultRuleStatus>& rules);
/// GET: `{"rules": [{"index", "hits", "stage", "action", "rule"}]}`; rule is the flow
/// YAML that POST (and `fault add`) reads back.

Poco::JSON::Object::Ptr addFaultJson(FaultRules& faults, const std::string& body);
/// POST: body is one rule as JSON or flow YAML (JSON is YAML). Installs it and answers
/// `{"index", "rule"}`; throws std::invalid_argument with the reason for a bad rule (400).

Poco::JSON::Object::Ptr clearFaultsJson(FaultRules& faults);
/// DELETE: removes every rule; `{"cleared": N}`.


} // namespace mail
