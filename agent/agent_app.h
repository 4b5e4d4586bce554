// agent_app.h - mail-agent: options, configuration, then the mode (shell, one-shot, ping, trace).
#pragma once

#include <string>
#include <vector>


namespace mail {


/// Exit status of ping/trace for a host that cannot be resolved (like iputils' ping).
constexpr int ExitUnknownHost = 2;


int runAgent(const std::vector<std::string>& args);
/// args without the program name; returns the exit status (SPEC.md: 64 bad usage,
/// 78 bad configuration, 69 when the mail servers cannot be found, 2 unknown host).


} // namespace mail
