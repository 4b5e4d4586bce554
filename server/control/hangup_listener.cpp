// hangup_listener.cpp - SIGHUP taken by one thread with sigtimedwait.
#include "server/control/hangup_listener.h"

#include <Poco/Logger.h>

#include <csignal>
#include <ctime>

#include <pthread.h>


namespace mail {


namespace {


sigset_t hangupSet()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	return set;
}


} // namespace


HangupListener::HangupListener()
{
	const sigset_t set = hangupSet();
	pthread_sigmask(SIG_BLOCK, &set, nullptr);
}


HangupListener::~HangupListener()
{
	stop();
}


void HangupListener::start(std::function<void()> reload)
{
	_reload = std::move(reload);
	_started = true;
	_thread.startFunc([this] {
		const sigset_t set = hangupSet();
		const timespec poll{0, 200 * 1000 * 1000}; // how soon stop() is noticed
		while (!_stop)
		{
			if (sigtimedwait(&set, nullptr, &poll) != SIGHUP) continue;
			Poco::Logger::get("app").information("- SIGHUP: reloading the configuration");
			_reload();
		}
	});
}


void HangupListener::stop()
{
	if (!_started) return;
	_stop = true;
	_thread.join();
	_started = false;
}


} // namespace mail
