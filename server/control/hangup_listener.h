// hangup_listener.h - SIGHUP as "reload the config": a thread that waits for it.
//
// A process-directed signal goes to any thread that does not block it, and SIGHUP's
// default action ends the process. So the constructor blocks SIGHUP in the calling
// thread before any other thread starts (they inherit the mask), and start() runs one
// thread that takes it with sigtimedwait and calls the reload function: reloading runs
// on an ordinary thread, never in a signal handler.
#pragma once

#include <Poco/Thread.h>

#include <atomic>
#include <functional>


namespace mail {


class HangupListener
{
public:
	HangupListener(); ///< blocks SIGHUP in this thread; construct before starting other threads
	~HangupListener();

	void start(std::function<void()> reload);
	/// Calls reload on the listener's thread at each SIGHUP (one sent before start() waits).
	void stop();

private:
	std::function<void()> _reload;
	std::atomic<bool> _stop{false};
	Poco::Thread _thread{"hangup"};
	bool _started = false;
};


} // namespace mail
