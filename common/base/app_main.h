// app_main.h - the common entry point of the three programs.
#pragma once

#include <Poco/Util/Application.h>

#include <string>


namespace mail {


int runApplication(Poco::Util::Application& app, int argc, char** argv);
/// Blocks SIGTERM, SIGINT, SIGQUIT and SIGHUP in every thread (so that only the thread
/// that waits for them sees them; Poco::Util::ServerApplication::waitForTerminationRequest
/// does) and ignores SIGPIPE; parses the command line, then runs the application.
/// A bad option exits 64 (SPEC.md) with a one-line message, not Poco's default 78.
/// `--version` anywhere before `--` prints "PROGRAM VERSION" and exits 0.


bool printVersionIfAsked(const std::string& program, int argc, char** argv);
/// True (after printing "PROGRAM VERSION" on stdout) when an argument is `--version`.


void blockDaemonSignals();
/// The signal mask part of runApplication(), for tests and tools.


} // namespace mail
