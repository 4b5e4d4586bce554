// main.cpp - mail-agent entry point.
#include "agent/agent_app.h"

#include <csignal>


int main(int argc, char** argv)
{
	std::signal(SIGPIPE, SIG_IGN);
	return mail::runAgent(std::vector<std::string>(argv + 1, argv + argc));
}
