// mail_events.cpp - the process's null implementation of MailEvents.
#include "server/mail/mail_events.h"


namespace mail {


MailEvents& nullMailEvents()
{
	static NullMailEvents events;
	return events;
}


} // namespace mail
