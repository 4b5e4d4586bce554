// app_main.cpp - the common entry point of the three programs.
#include "common/base/app_main.h"

#include "common/base/errors.h"
#include "common/base/version.h"

#include <Poco/Util/OptionException.h>

#include <Poco/Path.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <pthread.h>


namespace mail {


void blockDaemonSignals()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, nullptr);
	// A shell starts background jobs with SIGINT and SIGQUIT ignored, and an ignored signal
	// is discarded instead of waking sigwait(); restore the default (it stays blocked).
	for (int sig: {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) std::signal(sig, SIG_DFL);
	std::signal(SIGPIPE, SIG_IGN);
}


bool printVersionIfAsked(const std::string& program, int argc, char** argv)
{
	for (int i = 1; i < argc; ++i)
	{
		if (std::strcmp(argv[i], "--") == 0) return false;
		if (std::strcmp(argv[i], "--version") == 0)
		{
			std::cout << Poco::Path(program).getFileName() << " " << projectVersion() << std::endl;
			return true;
		}
	}
	return false;
}


int runApplication(Poco::Util::Application& app, int argc, char** argv)
{
	blockDaemonSignals();
	const std::string program = argc > 0 ? argv[0] : "mail";
	if (printVersionIfAsked(program, argc, argv)) return ExitOk;
	try
	{
		app.init(argc, argv);
	}
	catch (const Poco::Util::OptionException& exc)
	{
		std::cerr << program << ": " << exc.displayText() << " (try --help)" << std::endl;
		return ExitUsage;
	}
	catch (const ConfigError& exc)
	{
		std::cerr << program << ": " << exc.what() << std::endl;
		return ExitConfig;
	}
	catch (const Poco::Exception& exc)
	{
		std::cerr << program << ": " << exc.displayText() << std::endl;
		return ExitSoftware;
	}
	return app.run();
}


} // namespace mail
