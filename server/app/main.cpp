// main.cpp - mail-server entry point.
#include "common/base/app_main.h"
#include "server/app/mail_server_app.h"

#include <malloc.h>


int main(int argc, char** argv)
{
	// glibc gives a thread's arena back to the kernel (madvise, then page faults and a TLB
	// shootdown on the other core) whenever 128 KB lie free at its top: a session's or a
	// relay worker's per-message buffers did that once per message (bench/results/notes.md,
	// relay). Keeping up to 1 MB per arena ends that churn; memory per session stays bounded.
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mail::MailServerApp app;
	return mail::runApplication(app, argc, argv);
}
