// mail_date.h - the date-time of Date:, Received: and Arrival-Date: headers (RFC 5322 3.3).
#pragma once

#include <Poco/Timestamp.h>

#include <string>


namespace mail {


std::string rfc5322Date(const Poco::Timestamp& when);
/// In UTC with a numeric zone, to the second: "Sun, 22 Nov 2026 01:52:58 +0000".
/// The day of the month has no leading zero ("Thu, 1 Jan 1970 ..."), as RFC 5322 allows.


} // namespace mail
