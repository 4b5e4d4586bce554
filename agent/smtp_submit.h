// smtp_submit.h - compose a UTF-8 text/plain message and submit it with SMTPClientSession.
#pragma once

#include "agent/mail_endpoints.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Timespan.h>

#include <string>
#include <vector>


namespace mail {


void composeMessage(Poco::Net::MailMessage& message, const std::string& from,
	const std::vector<std::string>& to, const std::string& subject, const std::string& content);
/// From, To (one primary recipient each), Subject (RFC 2047 when not ASCII), Date,
/// Message-ID (<uuid@sender-domain>), text/plain; charset=UTF-8, quoted-printable.

struct SubmitSecurity
/// --tls and --auth of the agent.
{
	bool tls = false;  ///< STARTTLS after EHLO (RFC 3207); a server without it is an error
	bool auth = false; ///< AUTH PLAIN (RFC 4954) as user/password
	std::string user;
	std::string password;
};

std::string submitMessage(const Endpoint& server, const Poco::Net::MailMessage& message,
	const Poco::Timespan& timeout, const SubmitSecurity& security = {});
/// EHLO, [STARTTLS, EHLO,] [AUTH PLAIN,] MAIL, RCPT per recipient, DATA, QUIT. Returns
/// an empty string on success, else what went wrong, with the server's reply when
/// there was one.


} // namespace mail
