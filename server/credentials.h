// credentials.h - checking a login (SMTP AUTH, POP3 PASS and AUTH) against the accounts.
#pragma once

#include "common/config/config.h"

#include <Poco/Timespan.h>

#include <string>


namespace mail {


/// Pause before answering a failed login (slows password guessing; the number of tries
/// is limits.max_auth_failures). Never applied to a successful one.
extern const Poco::Timespan kAuthFailureDelay;


const std::string* checkLogin(const ServerConfig& server, const std::string& user, const std::string& password);
/// The account key (the Maildir name) when user names an account (ServerConfig::accountKey:
/// local part exact, domain case-insensitive) and password matches its stored password,
/// plain or hashed (verifyPassword); else null. Callers answer every failure
/// the same way after kAuthFailureDelay, so an unknown user and a wrong password look alike.


} // namespace mail
