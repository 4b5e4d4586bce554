// main.cpp - mail-agent entry point.
#include "agent/agent_app.h"
#include "common/base/app_main.h"

#include <csignal>


int main(int argc, char** argv)
{
	std::signal(SIGPIPE, SIG_IGN);
	if (mail::printVersionIfAsked(argc > 0 ? argv[0] : "mail-agent", argc, argv)) return 0;
	return mail::runAgent(std::vector<std::string>(argv + 1, argv + argc));
}
