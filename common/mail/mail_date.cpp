// mail_date.cpp - the date-time of Date:, Received: and Arrival-Date: headers (RFC 5322 3.3).
#include "common/mail/mail_date.h"

#include <Poco/DateTimeFormatter.h>


namespace mail {


std::string rfc5322Date(const Poco::Timestamp& when)
{
	return Poco::DateTimeFormatter::format(when, "%w, %e %b %Y %H:%M:%S +0000"); // a Timestamp formats as UTC
}


} // namespace mail
