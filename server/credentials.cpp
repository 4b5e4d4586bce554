// credentials.cpp - checking a login (SMTP AUTH, POP3 PASS and AUTH) against the accounts.
#include "server/credentials.h"

#include "common/mail/password_hash.h"


namespace mail {


const Poco::Timespan kAuthFailureDelay(1, 0);


const std::string* checkLogin(const ServerConfig& server, const std::string& user, const std::string& password)
{
	const std::string* key = server.accountKey(user);
	if (!key) return nullptr;
	return verifyPassword(server.accounts.at(*key), password) ? key : nullptr;
}


} // namespace mail
